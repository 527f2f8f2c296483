package io.meshfed.controller.health;

import io.meshfed.api.kvstore.CacheType;
import io.meshfed.certs.Pem;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.sync.SyncStatus;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Gathers each member's facts (membership and certificates from the store, agents' reports from
 * etcd, sync status, policy rollout) and judges them. Blocking: call it from a worker.
 */
public final class HealthService {
  private static final List<CacheType> SYNCED = List.of(CacheType.IDENTITIES, CacheType.IP, CacheType.NODES, CacheType.SERVICES);

  private final MeshStore store;
  private final AgentReportStore reports;
  private final Function<String, Optional<ClusterFacts.SyncFacts>> sync;
  private final Function<String, ClusterFacts.PolicyFacts> policies;
  private final Clock clock;
  private final ConditionHistory history = new ConditionHistory();

  public HealthService(MeshStore store, AgentReportStore reports, Function<String, Optional<ClusterFacts.SyncFacts>> sync,
      Function<String, ClusterFacts.PolicyFacts> policies, Clock clock) {
    this.store = store;
    this.reports = reports;
    this.sync = sync;
    this.policies = policies;
    this.clock = clock;
  }

  /** The whole mesh, each member in short. */
  public MeshHealth mesh() throws Exception {
    return summarize(clusters());
  }

  /** The mesh from members already judged (one pass for both /metrics and the summary). */
  public MeshHealth summarize(List<ClusterHealth> clusters) {
    List<String> meshReasons = clusters.isEmpty() ? List.of("the mesh has no member yet") : List.of();
    return MeshHealth.of(clusters, meshReasons, HealthState.Healthy, clock.instant());
  }

  /** Every member, judged, with its agent's last report. */
  public List<ClusterHealth> clusters() throws Exception {
    Instant now = clock.instant();
    List<ClusterRecord> members = store.clusters();
    Map<String, AgentSnapshot> agents = agents();
    List<ClusterHealth> out = new ArrayList<>();
    for (ClusterRecord c : members.stream().sorted(java.util.Comparator.comparing(ClusterRecord::name)).toList()) {
      out.add(judge(c, Optional.ofNullable(agents.get(c.name())), now));
    }
    history.retain(members.stream().map(ClusterRecord::name).collect(Collectors.toSet()));
    return out;
  }

  public Optional<ClusterHealth> cluster(String name) throws Exception {
    Optional<ClusterRecord> c = store.cluster(name).map(v -> v.value());
    if (c.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(judge(c.get(), Optional.ofNullable(agents().get(name)), clock.instant()));
  }

  private Map<String, AgentSnapshot> agents() throws Exception {
    Map<String, AgentSnapshot> out = new LinkedHashMap<>();
    reports.all().get(30, TimeUnit.SECONDS).forEach(a -> out.put(a.cluster(), a));
    return out;
  }

  private ClusterHealth judge(ClusterRecord c, Optional<AgentSnapshot> agent, Instant now) {
    ClusterFacts facts = new ClusterFacts(c.name(), c.state() == ClusterRecord.State.JOINED, agent,
        sync.apply(c.name()), policies.apply(c.name()), certificates(c));
    List<Condition> conditions = history.stamp(c.name(), HealthEvaluator.evaluate(facts, now), now);
    Long age = agent.map(a -> Math.max(0, Duration.between(a.receivedAt(), now).toSeconds())).orElse(null);
    return ClusterHealth.of(c.name(), conditions, age, HealthEvaluator.counts(facts),
        HealthEvaluator.allCertificates(facts, agent.filter(a -> !HealthEvaluator.stale(a, now))), agent.orElse(null));
  }

  /** What health judges of a live sync session (the leader's), and what the leader publishes for followers. */
  public static ClusterFacts.SyncFacts syncFacts(SyncStatus s) {
    Map<String, ClusterFacts.TypeFacts> types = new LinkedHashMap<>();
    for (CacheType t : SYNCED) {
      SyncStatus.TypeSnapshot x = s.snapshot(t);
      types.put(t.name().toLowerCase(Locale.ROOT), new ClusterFacts.TypeFacts(x.synced(), x.objects(), x.keys(), x.refused(), x.skipped()));
    }
    return new ClusterFacts.SyncFacts(s.reachable(), s.lastError(), types);
  }

  /** The certificates the controller issued for the member and still knows. */
  static Map<String, Instant> certificates(ClusterRecord c) {
    Map<String, Instant> out = new LinkedHashMap<>();
    if (c.certificateExpiry() != null) {
      out.put("controller:agent certificate", c.certificateExpiry());
    }
    if (c.etcdClientPem() != null && !c.etcdClientPem().isEmpty()) {
      try {
        X509Certificate etcd = Pem.decodeCertificate("etcd client certificate", c.etcdClientPem());
        out.put("controller:etcd client certificate (member-" + c.name() + ")", etcd.getNotAfter().toInstant());
      } catch (RuntimeException e) {
        // An unreadable certificate is shown as missing; the store's own checks report it.
      }
    }
    return out;
  }
}
