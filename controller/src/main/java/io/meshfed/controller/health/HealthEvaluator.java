package io.meshfed.controller.health;

import io.meshfed.controller.health.AgentSnapshot.Count;
import io.meshfed.controller.health.ClusterFacts.SyncFacts;
import io.meshfed.controller.health.ClusterFacts.TypeFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a member's facts into its conditions. A pure function of its inputs and {@code now}: the
 * same facts give the same answer on every replica.
 */
public final class HealthEvaluator {
  /** A certificate closer than this to its end is reported as a warning. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);
  /** Reports missed before the agent counts as gone (the "3 intervals"). */
  public static final int MISSED_REPORTS = 3;

  private HealthEvaluator() {}

  /** One cache type's name in sync facts, the condition that shows it, and the agent's count of it. */
  private record SyncedKind(String type, ConditionType condition, String label) {}

  private static final List<SyncedKind> KINDS = List.of(
      new SyncedKind("identities", ConditionType.IdentitiesSynced, "identities"),
      new SyncedKind("ip", ConditionType.EndpointsSynced, "endpoints"),
      new SyncedKind("nodes", ConditionType.NodesSynced, "nodes"),
      new SyncedKind("services", ConditionType.ServicesSynced, "global services"));

  public static List<Condition> evaluate(ClusterFacts facts, Instant now) {
    List<Condition> out = new ArrayList<>();
    out.add(facts.joined()
        ? Condition.ok(ConditionType.Joined, "Joined", "member of the mesh")
        : Condition.failed(ConditionType.Joined, "JoinInProgress", "the join has not finished"));
    Optional<AgentSnapshot> fresh = facts.agent().filter(a -> !stale(a, now));
    out.add(agentConnected(facts.agent(), now));
    out.add(ciliumReady(fresh, facts.cluster()));
    for (SyncedKind kind : KINDS) {
      out.add(synced(kind, facts.sync()));
    }
    out.add(policies(facts.policies()));
    out.add(certificates(facts, fresh, now));
    return out;
  }

  /** Member counts (from the agent) beside what the controller synced, per kind, with the difference. */
  public static Map<String, Map<String, Object>> counts(ClusterFacts facts) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Optional<AgentSnapshot.Counts> member = facts.agent().map(AgentSnapshot::counts);
    for (SyncedKind kind : KINDS) {
      Map<String, Object> row = new LinkedHashMap<>();
      Optional<Count> seen = member.map(c -> switch (kind.type()) {
        case "identities" -> c.identities();
        case "ip" -> c.endpoints();
        case "nodes" -> c.ciliumNodes();
        default -> c.globalServices();
      });
      Optional<TypeFacts> synced = facts.sync().map(s -> s.types().get(kind.type()));
      row.put("member", seen.map(Count::value).orElse(null));
      row.put("memberExact", seen.map(Count::exact).orElse(null));
      row.put("synced", synced.map(TypeFacts::objects).orElse(null));
      row.put("refused", synced.map(TypeFacts::refused).orElse(null));
      row.put("skipped", synced.map(TypeFacts::skipped).orElse(null));
      row.put("keys", synced.map(TypeFacts::keys).orElse(null));
      if (seen.isPresent() && synced.isPresent()) {
        // Refused and skipped objects are in the member but on purpose not in etcd.
        long accounted = synced.get().objects() + synced.get().refused() + synced.get().skipped();
        row.put("difference", seen.get().value() - accounted);
      }
      out.put(kind.label(), row);
    }
    return out;
  }

  static boolean stale(AgentSnapshot a, Instant now) {
    long interval = Math.max(1, a.intervalSeconds());
    return a.receivedAt().plusSeconds(interval * MISSED_REPORTS).isBefore(now);
  }

  private static Condition agentConnected(Optional<AgentSnapshot> agent, Instant now) {
    if (agent.isEmpty()) {
      return Condition.unknown(ConditionType.AgentConnected, "NoReport", "no report from the meshfed agent");
    }
    AgentSnapshot a = agent.get();
    long age = Math.max(0, Duration.between(a.receivedAt(), now).toSeconds());
    if (stale(a, now)) {
      return Condition.unknown(ConditionType.AgentConnected, "ReportsMissing",
          "last report " + age + " s ago, more than " + MISSED_REPORTS + " intervals of " + a.intervalSeconds() + " s");
    }
    if (a.kubernetes() != null && !a.kubernetes().reachable()) {
      return Condition.failed(ConditionType.AgentConnected, "KubernetesUnreachable",
          "the agent cannot reach its API server: " + nonEmpty(a.kubernetes().error()));
    }
    return Condition.ok(ConditionType.AgentConnected, "Reporting", "last report " + age + " s ago");
  }

  private static Condition ciliumReady(Optional<AgentSnapshot> agent, String cluster) {
    if (agent.isEmpty()) {
      return Condition.unknown(ConditionType.CiliumReady, "NoReport", "no recent report from the meshfed agent");
    }
    AgentSnapshot.Cilium c = agent.get().cilium();
    if (c == null) {
      return Condition.unknown(ConditionType.CiliumReady, "NotReported", "the agent did not report Cilium");
    }
    if (c.error() != null && !c.error().isEmpty()) {
      return Condition.failed(ConditionType.CiliumReady, "CiliumError", c.error());
    }
    if (c.configClusterName() != null && !c.configClusterName().isEmpty() && !c.configClusterName().equals(cluster)) {
      return Condition.failed(ConditionType.CiliumReady, "ClusterNameMismatch",
          "cilium-config cluster-name is \"" + c.configClusterName() + "\", the mesh knows this member as \"" + cluster + "\"");
    }
    if (c.daemonSetDesired() == 0) {
      return Condition.failed(ConditionType.CiliumReady, "NoCiliumAgents", "the cilium DaemonSet schedules no pods");
    }
    if (c.daemonSetReady() < c.daemonSetDesired()) {
      return Condition.failed(ConditionType.CiliumReady, "DaemonSetNotReady",
          "cilium DaemonSet " + c.daemonSetReady() + "/" + c.daemonSetDesired() + " ready");
    }
    return Condition.ok(ConditionType.CiliumReady, "DaemonSetReady", "cilium DaemonSet " + c.daemonSetReady() + "/" + c.daemonSetDesired() + " ready");
  }

  private static Condition synced(SyncedKind kind, Optional<SyncFacts> sync) {
    if (sync.isEmpty()) {
      return Condition.unknown(kind.condition(), "NoSyncSession", "no sync session for this member on this controller");
    }
    TypeFacts t = sync.get().types().get(kind.type());
    if (t == null || !t.synced()) {
      if (!sync.get().reachable()) {
        return Condition.failed(kind.condition(), "MemberUnreachable", "initial list not done: " + nonEmpty(sync.get().lastError()));
      }
      return Condition.failed(kind.condition(), "InitialSyncInProgress", "synchronization in progress for " + kind.label());
    }
    if (!sync.get().reachable()) {
      // Cilium keeps a remote's data while it is unreachable; so do we, but it may be aging.
      return Condition.failed(kind.condition(), "MemberUnreachable",
          "the member's API server does not answer; its " + kind.label() + " in etcd are kept as last seen: " + nonEmpty(sync.get().lastError()));
    }
    String refused = t.refused() > 0 ? ", " + t.refused() + " refused (see /api/v1/clusters/{name}/sync)" : "";
    return Condition.ok(kind.condition(), "Synced", t.objects() + " " + kind.label() + " in etcd" + refused);
  }

  private static Condition policies(ClusterFacts.PolicyFacts p) {
    if (p.placed() == 0) {
      return Condition.ok(ConditionType.PoliciesInSync, "NoPolicies", "no mesh policy is placed on this member");
    }
    if (p.failed() > 0) {
      return Condition.failed(ConditionType.PoliciesInSync, "PolicyFailed", p.failed() + " of " + p.placed() + " failed" + problems(p));
    }
    if (p.drifted() > 0) {
      return Condition.failed(ConditionType.PoliciesInSync, "PolicyDrifted", p.drifted() + " of " + p.placed() + " drifted" + problems(p));
    }
    if (p.pending() > 0 || p.inSync() < p.placed()) {
      return Condition.failed(ConditionType.PoliciesInSync, "RolloutPending", (p.placed() - p.inSync()) + " of " + p.placed() + " pending" + problems(p));
    }
    return Condition.ok(ConditionType.PoliciesInSync, "InSync", p.inSync() + " policies in sync");
  }

  private static String problems(ClusterFacts.PolicyFacts p) {
    return p.problems().isEmpty() ? "" : ": " + String.join("; ", p.problems());
  }

  /** The controller's certificates of the member and those the agent found mounted or in Secrets. */
  public static Map<String, Instant> allCertificates(ClusterFacts facts, Optional<AgentSnapshot> agent) {
    Map<String, Instant> all = new LinkedHashMap<>(facts.certificates());
    agent.ifPresent(a -> a.certificates().forEach(c -> {
      if (c.notAfter() != null) {
        all.merge(c.source() + ":" + c.name(), c.notAfter(), (x, y) -> x.isBefore(y) ? x : y);
      }
    }));
    return all;
  }

  private static Condition certificates(ClusterFacts facts, Optional<AgentSnapshot> agent, Instant now) {
    Map<String, Instant> all = allCertificates(facts, agent);
    if (all.isEmpty()) {
      return Condition.unknown(ConditionType.CertificatesValid, "NoCertificates", "no certificate known for this member");
    }
    Map.Entry<String, Instant> first = all.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
    Instant end = first.getValue();
    if (!end.isAfter(now)) {
      return Condition.failed(ConditionType.CertificatesValid, "CertificateExpired", first.getKey() + " expired at " + end);
    }
    long days = Duration.between(now, end).toDays();
    if (end.isBefore(now.plus(EXPIRY_WARNING))) {
      return Condition.ok(ConditionType.CertificatesValid, "ExpiringSoon",
          first.getKey() + " expires at " + end + " (in " + days + " days); rotate it (docs/operations.md)").asWarning();
    }
    return Condition.ok(ConditionType.CertificatesValid, "Valid", all.size() + " certificates; the first to expire, " + first.getKey() + ", at " + end);
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? "no detail" : s;
  }
}
