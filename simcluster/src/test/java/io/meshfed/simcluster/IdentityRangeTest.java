package io.meshfed.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdentityRangeTest {

  @Test
  @DisplayName("255 mode: identity = (clusterId << 16) + 256 + k, and the cluster ID reads back from bits 16-23")
  void mode255() {
    IdentityRange range = new IdentityRange(3, 255);
    assertThat(range.numericIdentity(0)).isEqualTo(3 * 65536 + 256);
    assertThat(range.numericIdentity(51)).isEqualTo(196915);
    assertThat(range.last()).isEqualTo(4 * 65536 - 1);
    assertThat(range.capacity()).isEqualTo(65536 - 256);
    assertThat(range.clusterIdOf(196915)).isEqualTo(3);
  }

  @Test
  @DisplayName("511 mode: the cluster ID takes bits 15-23, leaving 32768 numbers per cluster")
  void mode511() {
    IdentityRange range = new IdentityRange(300, 511);
    assertThat(range.numericIdentity(0)).isEqualTo((300L << 15) + 256);
    assertThat(range.capacity()).isEqualTo(32768 - 256);
    assertThat(range.clusterIdOf(range.numericIdentity(100))).isEqualTo(300);
  }

  @Test
  @DisplayName("an identity beyond the range is refused")
  void beyondRange() {
    IdentityRange range = new IdentityRange(1, 255);
    assertThatThrownBy(() -> range.numericIdentity(range.capacity())).hasMessageContaining("--identities");
  }
}
