package io.meshfed.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReportChangesTest {
  private static HealthReport base() {
    return HealthReport.newBuilder()
        .setSequence(3).setSentAt(1000).setAgentVersion("dev").setClusterName("c1")
        .setKubernetes(KubernetesStatus.newBuilder().setReachable(true).setLatencyMs(3))
        .setCilium(CiliumStatus.newBuilder().setDaemonsetDesired(3).setDaemonsetReady(3))
        .setEtcd(EtcdStatus.newBuilder().setConfigured(true).setReachable(true).setHandshakeMs(9).setHeartbeatAgeSeconds(10))
        .build();
  }

  @Test
  @DisplayName("latency, handshake time, heartbeat age within freshness, sequence and send time are not changes")
  void jitterIsNotAChange() {
    HealthReport later = base().toBuilder().setSequence(4).setSentAt(2000)
        .setKubernetes(base().getKubernetes().toBuilder().setLatencyMs(250))
        .setEtcd(base().getEtcd().toBuilder().setHandshakeMs(80).setHeartbeatAgeSeconds(45)).build();
    assertThat(ReportChanges.meaningful(base(), later)).isFalse();
  }

  @Test
  @DisplayName("a DaemonSet ready count, reachability, a new section, or a stale heartbeat are changes, named by section")
  void realChanges() {
    HealthReport notReady = base().toBuilder().setCilium(base().getCilium().toBuilder().setDaemonsetReady(2)).build();
    assertThat(ReportChanges.meaningful(base(), notReady)).isTrue();
    assertThat(ReportChanges.changedSections(base(), notReady)).containsExactly("cilium");

    HealthReport unreachable = base().toBuilder().setKubernetes(KubernetesStatus.newBuilder().setError("connection refused")).build();
    assertThat(ReportChanges.changedSections(base(), unreachable)).containsExactly("kubernetes");

    HealthReport withCounts = base().toBuilder()
        .setCounts(ObjectCounts.newBuilder().setIdentities(ObjectCount.newBuilder().setCount(1).setExact(true))).build();
    assertThat(ReportChanges.changedSections(base(), withCounts)).containsExactly("counts");

    HealthReport stale = base().toBuilder().setEtcd(base().getEtcd().toBuilder().setHeartbeatAgeSeconds(121)).build();
    assertThat(ReportChanges.meaningful(base(), stale)).isTrue();
  }
}
