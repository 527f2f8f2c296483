package io.meshfed.controller.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.controller.health.AgentSnapshot.Count;
import io.meshfed.controller.health.ClusterFacts.PolicyFacts;
import io.meshfed.controller.health.ClusterFacts.SyncFacts;
import io.meshfed.controller.health.ClusterFacts.TypeFacts;
import io.meshfed.controller.health.Condition.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Health rules: a member's facts become conditions and an overall state")
class HealthEvaluatorTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  static AgentSnapshot agent(Instant receivedAt, long desired, long ready, String configName) {
    return new AgentSnapshot("c1", receivedAt, 7, "0.1.0", 10,
        new AgentSnapshot.Kubernetes(true, 12, null),
        new AgentSnapshot.Cilium(desired, ready, configName, "1", null),
        new AgentSnapshot.Nodes(3, 3),
        new AgentSnapshot.Counts(new Count(10, true), new Count(20, true), new Count(3, true), new Count(3, true)),
        List.of(new AgentSnapshot.Certificate("tls.crt", "mounted", NOW.plus(Duration.ofDays(300)), "CN=agent.c1")),
        List.of(), new AgentSnapshot.Etcd(true, 5, 3, null));
  }

  static SyncFacts synced() {
    TypeFacts t = new TypeFacts(true, 10, 10, 0, 0);
    return new SyncFacts(true, null, Map.of("identities", t, "ip", new TypeFacts(true, 20, 20, 0, 0),
        "nodes", new TypeFacts(true, 3, 3, 0, 0), "services", new TypeFacts(true, 3, 3, 0, 0)));
  }

  static ClusterFacts facts(Optional<AgentSnapshot> agent, Optional<SyncFacts> sync, PolicyFacts policies, Map<String, Instant> certs) {
    return new ClusterFacts("c1", true, agent, sync, policies, certs);
  }

  static ClusterHealth judge(ClusterFacts f) {
    return ClusterHealth.of("c1", HealthEvaluator.evaluate(f, NOW), 0L, HealthEvaluator.counts(f), Map.of(), null);
  }

  static final Map<String, Instant> CERTS = Map.of("controller:agent certificate", NOW.plus(Duration.ofDays(365)));

  @Test
  @DisplayName("everything reported and synced: Healthy, every condition True")
  void healthy() {
    ClusterHealth h = judge(facts(Optional.of(agent(NOW.minusSeconds(2), 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS));
    assertThat(h.status()).isEqualTo(HealthState.Healthy);
    assertThat(h.conditions()).extracting(Condition::status).containsOnly(Status.True);
    assertThat(h.conditions()).extracting(Condition::type).containsExactly(ConditionType.values());
    assertThat(h.reasons()).isEmpty();
  }

  @Test
  @DisplayName("Cilium DaemonSet not fully ready: Degraded with the reason; none ready: Unhealthy")
  void ciliumNotReady() {
    ClusterHealth partial = judge(facts(Optional.of(agent(NOW, 3, 2, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS));
    assertThat(partial.status()).isEqualTo(HealthState.Degraded);
    assertThat(partial.condition(ConditionType.CiliumReady).reason()).isEqualTo("DaemonSetNotReady");
    assertThat(partial.reasons()).singleElement().asString().contains("CiliumReady False (DaemonSetNotReady): cilium DaemonSet 2/3 ready");

    ClusterHealth none = judge(facts(Optional.of(agent(NOW, 3, 0, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS));
    assertThat(none.status()).isEqualTo(HealthState.Unhealthy);
  }

  @Test
  @DisplayName("no report for 3 intervals: AgentConnected Unknown, Cilium Unknown (old facts are not trusted)")
  void silentAgent() {
    ClusterHealth h = judge(facts(Optional.of(agent(NOW.minusSeconds(31), 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS));
    assertThat(h.condition(ConditionType.AgentConnected).status()).isEqualTo(Status.Unknown);
    assertThat(h.condition(ConditionType.AgentConnected).reason()).isEqualTo("ReportsMissing");
    assertThat(h.condition(ConditionType.CiliumReady).status()).isEqualTo(Status.Unknown);
    assertThat(h.status()).isEqualTo(HealthState.Degraded);
    // 29 s is within 3 intervals of 10 s
    assertThat(judge(facts(Optional.of(agent(NOW.minusSeconds(29), 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS))
        .condition(ConditionType.AgentConnected).status()).isEqualTo(Status.True);
    assertThat(judge(facts(Optional.empty(), Optional.of(synced()), PolicyFacts.NONE, CERTS))
        .condition(ConditionType.AgentConnected).reason()).isEqualTo("NoReport");
  }

  @Test
  @DisplayName("cilium-config names another cluster: CiliumReady False, ClusterNameMismatch")
  void clusterNameMismatch() {
    ClusterHealth h = judge(facts(Optional.of(agent(NOW, 3, 3, "other")), Optional.of(synced()), PolicyFacts.NONE, CERTS));
    assertThat(h.condition(ConditionType.CiliumReady).reason()).isEqualTo("ClusterNameMismatch");
  }

  @Test
  @DisplayName("a certificate expiring within 30 days is a warning, not Degraded; an expired one is Unhealthy")
  void certificateExpiry() {
    Map<String, Instant> soon = Map.of("controller:agent certificate", NOW.plus(Duration.ofDays(20)));
    ClusterHealth h = judge(facts(Optional.of(agent(NOW, 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, soon));
    Condition c = h.condition(ConditionType.CertificatesValid);
    assertThat(c.status()).isEqualTo(Status.True);
    assertThat(c.warning()).isTrue();
    assertThat(c.reason()).isEqualTo("ExpiringSoon");
    assertThat(h.status()).isEqualTo(HealthState.Healthy);
    assertThat(h.reasons()).singleElement().asString().contains("warning CertificatesValid (ExpiringSoon)").contains("in 20 days");

    Map<String, Instant> expired = Map.of("controller:agent certificate", NOW.minusSeconds(1));
    assertThat(judge(facts(Optional.of(agent(NOW, 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, expired)).status())
        .isEqualTo(HealthState.Unhealthy);
  }

  @Test
  @DisplayName("sync in progress, member unreachable, policies pending or drifted: each named in its condition")
  void syncAndPolicies() {
    SyncFacts listing = new SyncFacts(true, null, Map.of("identities", new TypeFacts(false, 0, 0, 0, 0)));
    ClusterHealth h = judge(facts(Optional.of(agent(NOW, 3, 3, "c1")), Optional.of(listing), new PolicyFacts(2, 1, 1, 0, 0, List.of()), CERTS));
    assertThat(h.condition(ConditionType.IdentitiesSynced).reason()).isEqualTo("InitialSyncInProgress");
    assertThat(h.condition(ConditionType.PoliciesInSync).reason()).isEqualTo("RolloutPending");

    SyncFacts gone = new SyncFacts(false, "connection refused", synced().types());
    ClusterHealth u = judge(facts(Optional.of(agent(NOW, 3, 3, "c1")), Optional.of(gone), new PolicyFacts(2, 1, 0, 1, 0, List.of("allow-dns edited")), CERTS));
    assertThat(u.status()).isEqualTo(HealthState.Unhealthy);
    assertThat(u.condition(ConditionType.NodesSynced).message()).contains("kept as last seen").contains("connection refused");
    assertThat(u.condition(ConditionType.PoliciesInSync).message()).contains("1 of 2 drifted: allow-dns edited");
  }

  @Test
  @DisplayName("counts: the agent's count beside the synced objects, refused and skipped accounted for")
  void countsDifference() {
    SyncFacts s = new SyncFacts(true, null, Map.of("identities", new TypeFacts(true, 8, 8, 1, 0)));
    Map<String, Map<String, Object>> counts = HealthEvaluator.counts(facts(Optional.of(agent(NOW, 3, 3, "c1")), Optional.of(s), PolicyFacts.NONE, CERTS));
    assertThat(counts.get("identities")).containsEntry("member", 10L).containsEntry("synced", 8L).containsEntry("difference", 1L);
  }

  @Test
  @DisplayName("lastTransitionTime changes only when the status changes")
  void transitions() {
    ConditionHistory history = new ConditionHistory();
    ClusterFacts degraded = facts(Optional.of(agent(NOW, 3, 2, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS);
    Instant t1 = NOW;
    Instant t2 = NOW.plusSeconds(10);
    Condition first = history.stamp("c1", HealthEvaluator.evaluate(degraded, t1), t1).get(2);
    Condition again = history.stamp("c1", HealthEvaluator.evaluate(degraded, t1), t2).get(2);
    assertThat(again.lastTransitionTime()).isEqualTo(first.lastTransitionTime()).isEqualTo(t1);
    ClusterFacts fixed = facts(Optional.of(agent(t2, 3, 3, "c1")), Optional.of(synced()), PolicyFacts.NONE, CERTS);
    assertThat(history.stamp("c1", HealthEvaluator.evaluate(fixed, t2), t2).get(2).lastTransitionTime()).isEqualTo(t2);
  }
}
