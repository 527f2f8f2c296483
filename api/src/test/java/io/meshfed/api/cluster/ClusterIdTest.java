package io.meshfed.api.cluster;

import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_255;
import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_511;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterIdTest {

    @Test
    @DisplayName("ID 0 is refused: it means unset and cannot join a mesh")
    void refusesZero() {
        assertThatThrownBy(() -> ClusterId.of(0, MAX_255))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("cluster-id: \"0\" must be between 1 and 255 (0 means unset and cannot join a mesh)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 128, 255})
    @DisplayName("1..255 are valid in a 255 mesh")
    void acceptsWithin255(int id) {
        assertThat(ClusterId.of(id, MAX_255).value()).isEqualTo(id);
    }

    @Test
    @DisplayName("256 is refused in a 255 mesh and accepted in a 511 mesh")
    void twoHundredFiftySixDependsOnMode() {
        assertThatThrownBy(() -> ClusterId.of(256, MAX_255))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("cluster-id: \"256\" must be between 1 and 255 (max-connected-clusters 255)");
        assertThat(ClusterId.of(256, MAX_511).value()).isEqualTo(256);
    }

    @Test
    @DisplayName("511 is the largest ID of a 511 mesh; 512 is refused")
    void fiveHundredElevenIsTheTop() {
        assertThat(ClusterId.of(511, MAX_511).value()).isEqualTo(511);
        assertThatThrownBy(() -> ClusterId.of(512, MAX_511)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    @DisplayName("negative and uint32-sized values are refused, never truncated")
    void refusesOutOfIntRange() {
        assertThatThrownBy(() -> ClusterId.of(-1, MAX_255)).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> ClusterId.of(4_294_967_299L, MAX_511)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    @DisplayName("an ID knows its identity range")
    void knowsItsRange() {
        ClusterId three = ClusterId.of(3, MAX_255);
        assertThat(three.identityRange()).isEqualTo(new IdentityRange(196_608, 262_143));
        assertThat(three.owns(196_915)).isTrue();
        assertThat(three).hasToString("3");
    }

    @Test
    @DisplayName("the same number in different modes are different IDs")
    void modeIsPartOfTheValue() {
        assertThat(ClusterId.of(3, MAX_255)).isNotEqualTo(ClusterId.of(3, MAX_511));
        assertThat(ClusterId.of(3, MAX_255)).isEqualTo(new ClusterId(3, MAX_255));
    }
}
