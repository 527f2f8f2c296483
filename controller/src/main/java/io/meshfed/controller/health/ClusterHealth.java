package io.meshfed.controller.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One member's health as {@code GET /api/v1/clusters/{name}/health} shows it.
 *
 * @param reasons one line per condition that is not True (and per warning), for people and alerts
 * @param reportAgeSeconds age of the agent's last report, or {@code null} when there is none
 * @param counts what the agent sees in the member beside what the controller synced, per kind
 * @param certificates every certificate known for the member (source:name) and its notAfter
 */
public record ClusterHealth(String cluster, HealthState status, List<String> reasons, List<Condition> conditions,
    Long reportAgeSeconds, Map<String, Map<String, Object>> counts, Map<String, Instant> certificates, AgentSnapshot agent) {

  /**
   * Unhealthy when traffic to or from the member is at risk now: its API server is gone, Cilium
   * runs no ready agent, or a certificate has expired. Degraded when anything else is not True.
   */
  private static final Set<String> CRITICAL_REASONS = Set.of("MemberUnreachable", "NoCiliumAgents", "CertificateExpired");

  static ClusterHealth of(String cluster, List<Condition> conditions, Long reportAge, Map<String, Map<String, Object>> counts,
      Map<String, Instant> certificates, AgentSnapshot agent) {
    HealthState state = HealthState.Healthy;
    List<String> reasons = new java.util.ArrayList<>();
    for (Condition c : conditions) {
      if (!c.isTrue()) {
        state = state.worst(CRITICAL_REASONS.contains(c.reason()) || zeroReady(c) ? HealthState.Unhealthy : HealthState.Degraded);
        reasons.add(cluster + ": " + c.type() + " " + c.status() + " (" + c.reason() + "): " + c.message());
      } else if (c.warning()) {
        reasons.add(cluster + ": warning " + c.type() + " (" + c.reason() + "): " + c.message());
      }
    }
    return new ClusterHealth(cluster, state, List.copyOf(reasons), List.copyOf(conditions), reportAge, counts, certificates, agent);
  }

  private static boolean zeroReady(Condition c) {
    return c.type() == ConditionType.CiliumReady && c.message().startsWith("cilium DaemonSet 0/");
  }

  public Condition condition(ConditionType type) {
    return conditions.stream().filter(c -> c.type() == type).findFirst().orElseThrow();
  }

  /** Dropping the raw report keeps the mesh-wide answer small. */
  ClusterHealth withoutAgent() {
    return new ClusterHealth(cluster, status, reasons, conditions, reportAgeSeconds, counts, certificates, null);
  }
}
