package io.meshfed.api.cluster;

import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_255;
import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_511;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MaxConnectedClustersTest {

    @Test
    @DisplayName("only 255 and 511 are valid modes")
    void parsesOnlyTheTwoModes() {
        assertThat(MaxConnectedClusters.of(255)).isSameAs(MAX_255);
        assertThat(MaxConnectedClusters.of(511)).isSameAs(MAX_511);
        assertThatThrownBy(() -> MaxConnectedClusters.of(256))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("max-connected-clusters: \"256\" must be 255 or 511");
        assertThat(MaxConnectedClusters.check("mesh.maxConnectedClusters", 1023)).isPresent();
        assertThat(MaxConnectedClusters.check("mesh.maxConnectedClusters", 511)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 254, 256, 512, 1023, -1})
    @DisplayName("anything else is refused")
    void refusesOtherValues(long value) {
        assertThatThrownBy(() -> MaxConnectedClusters.of(value)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    @DisplayName("a cluster config without maxConnectedClusters (0) means 255, as in Cilium")
    void clusterConfigZeroMeans255() {
        assertThat(MaxConnectedClusters.fromClusterConfig(0)).contains(MAX_255);
        assertThat(MaxConnectedClusters.fromClusterConfig(511)).contains(MAX_511);
        assertThat(MaxConnectedClusters.fromClusterConfig(300)).isEmpty();
    }

    @Test
    @DisplayName("bit layout: 8 ID bits at 16 (255) or 9 ID bits at 15 (511)")
    void bitLayout() {
        assertThat(MAX_255.clusterIdBits()).isEqualTo(8);
        assertThat(MAX_255.clusterIdShift()).isEqualTo(16);
        assertThat(MAX_255.identitiesPerCluster()).isEqualTo(65_536);
        assertThat(MAX_255.maxClusterId()).isEqualTo(255);
        assertThat(MAX_511.clusterIdBits()).isEqualTo(9);
        assertThat(MAX_511.clusterIdShift()).isEqualTo(15);
        assertThat(MAX_511.identitiesPerCluster()).isEqualTo(32_768);
        assertThat(MAX_511.maxClusterId()).isEqualTo(511);
    }

    @Nested
    @DisplayName("in a 255 mesh")
    class Mode255 {

        @Test
        @DisplayName("cluster 3 owns 3<<16 .. (3<<16)+65535 and identity 196915 (3*65536+307)")
        void clusterThree() {
            IdentityRange range = MAX_255.identityRange(3);
            assertThat(range.first()).isEqualTo(3L << 16).isEqualTo(196_608);
            assertThat(range.last()).isEqualTo((3L << 16) + 65_535).isEqualTo(262_143);
            assertThat(range.size()).isEqualTo(65_536);
            assertThat(MAX_255.isInRange(3, 196_915)).isTrue();
            assertThat(MAX_255.clusterIdOf(196_915)).isEqualTo(3);
        }

        @ParameterizedTest(name = "identity {0} belongs to cluster {1}")
        @CsvSource({"196607, 2", "196608, 3", "262143, 3", "262144, 4", "65536, 1", "16777215, 255", "300, 0"})
        @DisplayName("boundary identities fall on the right side")
        void boundaries(long identity, int clusterId) {
            assertThat(MAX_255.clusterIdOf(identity)).isEqualTo(clusterId);
            assertThat(MAX_255.isInRange(clusterId, identity)).isTrue();
            if (clusterId > 0) {
                assertThat(MAX_255.isInRange(clusterId - 1, identity)).isFalse();
            }
            if (clusterId < 255) {
                assertThat(MAX_255.isInRange(clusterId + 1, identity)).isFalse();
            }
        }

        @Test
        @DisplayName("cluster 0 (not meshed) starts at 256, cluster 255 ends at 2^24-1")
        void edges() {
            assertThat(MAX_255.identityRange(0)).isEqualTo(new IdentityRange(256, 65_535));
            assertThat(MAX_255.identityRange(1)).isEqualTo(new IdentityRange(65_536, 131_071));
            assertThat(MAX_255.identityRange(255)).isEqualTo(new IdentityRange(16_711_680, 16_777_215));
            assertThatThrownBy(() -> MAX_255.identityRange(256)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("in a 511 mesh")
    class Mode511 {

        @Test
        @DisplayName("cluster 3 owns 3<<15 .. (3<<15)+32767")
        void clusterThree() {
            assertThat(MAX_511.identityRange(3)).isEqualTo(new IdentityRange(98_304, 131_071));
            assertThat(MAX_511.isInRange(3, 196_915)).isFalse();
            assertThat(MAX_511.clusterIdOf(196_915)).isEqualTo(6);
            assertThat(MAX_511.isInRange(6, 196_915)).isTrue();
        }

        @Test
        @DisplayName("IDs up to 511 have ranges, the last ending at 2^24-1; cluster 0 ends at 32767")
        void edges() {
            assertThat(MAX_511.identityRange(0)).isEqualTo(new IdentityRange(256, 32_767));
            assertThat(MAX_511.identityRange(256)).isEqualTo(new IdentityRange(8_388_608, 8_421_375));
            assertThat(MAX_511.identityRange(511)).isEqualTo(new IdentityRange(16_744_448, 16_777_215));
            assertThat(MAX_511.clusterIdOf(16_777_215)).isEqualTo(511);
            assertThat(MAX_511.clusterIdOf(98_303)).isEqualTo(2);
            assertThatThrownBy(() -> MAX_511.identityRange(512)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("a ClusterId of another mode is refused")
        void refusesForeignModeId() {
            assertThatThrownBy(() -> MAX_511.identityRange(ClusterId.of(3, MAX_255)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(MAX_511.identityRange(ClusterId.of(3, MAX_511))).isEqualTo(MAX_511.identityRange(3));
        }
    }

    @Test
    @DisplayName("ipcache entries may carry reserved and well-known identities (< 256) of any cluster")
    void ipcacheAcceptsReservedIdentities() {
        assertThat(MAX_255.isAcceptedInIpcache(3, 0)).isTrue();
        assertThat(MAX_255.isAcceptedInIpcache(3, 2)).isTrue();     // world
        assertThat(MAX_255.isAcceptedInIpcache(3, 6)).isTrue();     // remote-node
        assertThat(MAX_255.isAcceptedInIpcache(3, 102)).isTrue();   // well-known kube-dns
        assertThat(MAX_255.isAcceptedInIpcache(3, 255)).isTrue();
        assertThat(MAX_255.isAcceptedInIpcache(3, 256)).isFalse();  // cluster 0's first identity
        assertThat(MAX_255.isAcceptedInIpcache(3, 199_475)).isTrue();
        assertThat(MAX_255.isAcceptedInIpcache(3, 262_144)).isFalse();
        assertThat(MAX_255.isInRange(3, 2)).isFalse();               // but identities themselves must be in range
        assertThat(NumericIdentities.isReservedOrWellKnown(255)).isTrue();
        assertThat(NumericIdentities.isReservedOrWellKnown(-1)).isFalse();
    }
}
