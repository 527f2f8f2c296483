package io.meshfed.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AddressPlanTest {

  @Test
  @DisplayName("small simulated clusters get 10.<id>.<n>.0/24 per node, router .1, health .2, endpoints from .16")
  void smallClusterLayout() {
    AddressPlan plan = new AddressPlan(3, 255, 2, 5);
    assertThat(plan.clusterPodRange()).isEqualTo("10.3.0.0/16");
    assertThat(plan.nodePodCidr(0)).isEqualTo("10.3.0.0/24");
    assertThat(plan.nodePodCidr(1)).isEqualTo("10.3.1.0/24");
    assertThat(plan.routerIp(1)).isEqualTo("10.3.1.1");
    assertThat(plan.healthIp(1)).isEqualTo("10.3.1.2");
    assertThat(plan.endpointIp(0)).isEqualTo("10.3.0.16");
    assertThat(plan.endpointIp(1)).isEqualTo("10.3.1.16");
    assertThat(plan.endpointIp(4)).isEqualTo("10.3.0.18");
    assertThat(plan.nodeInternalIp(0)).isEqualTo("172.16.24.10");
    assertThat(plan.serviceIp(0)).isEqualTo("192.168.0.10");
  }

  @Test
  @DisplayName("many endpoints per node widen the node CIDR, still inside the simulated cluster's range")
  void largeNodeBlocks() {
    AddressPlan plan = new AddressPlan(1, 255, 10, 30_000);
    assertThat(plan.nodePrefixLength()).isEqualTo(20);
    assertThat(plan.nodePodCidr(9)).isEqualTo("10.1.144.0/20");
    assertThat(plan.endpointIp(29_999)).isEqualTo("10.1.155.199");
  }

  @Test
  @DisplayName("with 511 clusters each simulated cluster gets a /17 and the highest ID still fits in 10/8")
  void mode511() {
    assertThat(new AddressPlan(1, 511, 1, 1).clusterPodRange()).isEqualTo("10.0.128.0/17");
    assertThat(new AddressPlan(511, 511, 1, 1).clusterPodRange()).isEqualTo("10.255.128.0/17");
    assertThat(new AddressPlan(511, 511, 1, 1).nodeInternalIp(0)).isEqualTo("172.31.248.10");
  }

  @Test
  @DisplayName("more addresses than the pod range holds are refused, naming the flags")
  void tooManyEndpoints() {
    assertThatThrownBy(() -> new AddressPlan(1, 255, 1, 70_000))
        .hasMessageContaining("--nodes 1 --endpoints 70000");
  }
}
