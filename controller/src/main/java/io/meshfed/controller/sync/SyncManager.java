package io.meshfed.controller.sync;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.certs.SecretBox;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.sync.convert.IpOwnership;
import io.meshfed.controller.sync.convert.MemberCluster;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync session per JOINED member, kept in line with the registry: {@link #reconcile} starts
 * sessions for new members, restarts a session when the member's credentials were renewed (its
 * client carries the token), and stops sessions of members that left. Called after joins and
 * leaves and periodically.
 */
public final class SyncManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncManager.class);

  private final MeshStore store;
  private final SecretBox secrets;
  private final Clock clock;
  private final BiFunction<String, Integer, CacheSink> sinks;
  private final IpOwnership ips = new IpOwnership();
  private final Map<String, Running> sessions = new ConcurrentHashMap<>();
  private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "meshfed-sync-supervisor");
    t.setDaemon(true);
    return t;
  });

  private record Running(SyncSession session, Instant credentialExpiry) {}

  private java.time.Duration cacheTtl = java.time.Duration.ZERO;

  /** Default audit interval (see {@link SyncSession#withAudit}); MESHFED_SYNC_AUDIT_SECONDS. */
  public static final java.time.Duration DEFAULT_AUDIT_INTERVAL = java.time.Duration.ofMinutes(10);
  private static final java.time.Duration AUDIT_RECHECK = java.time.Duration.ofSeconds(15);
  private java.time.Duration auditInterval = DEFAULT_AUDIT_INTERVAL;
  private final ScheduledExecutorService auditor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "meshfed-sync-audit");
    t.setDaemon(true);
    return t;
  });

  /** How often each session compares the members' listings with its caches; zero = never. */
  public SyncManager withAuditInterval(java.time.Duration interval) {
    this.auditInterval = interval;
    return this;
  }

  /** See {@link SyncSession#withCacheTtl}. */
  public SyncManager withCacheTtl(java.time.Duration ttl) {
    this.cacheTtl = ttl;
    return this;
  }

  /** @param sinks makes the etcd write path of a member (name, cluster ID) */
  public SyncManager(MeshStore store, SecretBox secrets, Clock clock, BiFunction<String, Integer, CacheSink> sinks) {
    this.store = store;
    this.secrets = secrets;
    this.clock = clock;
    this.sinks = sinks;
  }

  /**
   * Whether sessions may run: false on a replica that is not the leader. {@link #reconcile} then
   * starts nothing, so a reconcile queued before a step-down cannot bring sessions back.
   */
  private volatile boolean active = true;

  /**
   * Held by {@link #reconcile} for its etcd reads and its changes, so reconciles run one at a time
   * and each applies what it read; the changes alone also take this object's lock, which is all
   * {@link #pause} needs. A step-down must not wait for reads that etcd does not answer: a leader
   * cut off from etcd kept its sessions running (and showing) for two read timeouts, up to 30 s.
   */
  private final Object reconciling = new Object();

  /** Stops every session and starts none until {@link #resume()}: this replica stopped leading. */
  public synchronized void pause() {
    active = false;
    for (String name : Set.copyOf(sessions.keySet())) {
      stop(name);
    }
  }

  /** Lets {@link #reconcile} start sessions again: this replica leads. */
  public synchronized void resume() {
    active = true;
  }

  public void reconcile() {
    synchronized (reconciling) {
      if (!active) {
        return;
      }
      MaxConnectedClusters max = MaxConnectedClusters.of(store.mesh().orElseThrow().maxConnectedClusters());
      apply(max, store.clusters());
    }
  }

  /** Starts, restarts and stops sessions to match the member records (unless paused meanwhile). */
  private synchronized void apply(MaxConnectedClusters max, List<ClusterRecord> clusters) {
    if (!active) {
      return;
    }
    Set<String> wanted = new HashSet<>();
    for (ClusterRecord c : clusters) {
      if (c.state() != ClusterRecord.State.JOINED) {
        continue;
      }
      wanted.add(c.name());
      Running r = sessions.get(c.name());
      if (r != null && r.credentialExpiry().equals(c.credentialExpiry())) {
        continue;
      }
      if (r != null) {
        r.session().close();
      }
      try {
        MemberCredentials creds = new io.meshfed.controller.store.SealedSecrets(secrets).credentials(c);
        SyncSession s = new SyncSession(MemberCluster.of(c.name(), c.id(), max), () -> connect(creds), sinks.apply(c.name(), c.id()), ips,
            new SyncStatus(c.name(), clock), supervisor, this::handOver).withCacheTtl(cacheTtl, clock)
            .withAudit(auditInterval, AUDIT_RECHECK, auditor);
        s.start();
        sessions.put(c.name(), new Running(s, c.credentialExpiry()));
      } catch (RuntimeException e) {
        LOG.warn("cluster={} op=sync.session failed=\"{}\" retry=next-round", c.name(), e.getMessage());
      }
    }
    for (String name : Set.copyOf(sessions.keySet())) {
      if (!wanted.contains(name)) {
        stop(name);
      }
    }
  }

  /** Stops a member's session (before its data is deleted at leave) and frees its IPs for others. */
  public synchronized void stop(String name) {
    Running r = sessions.remove(name);
    if (r != null) {
      r.session().close();
    }
    for (var h : ips.releaseCluster(io.meshfed.api.cluster.ClusterName.parse(name))) {
      supervisor.execute(() -> handOver(h.newPrimary()));
    }
  }

  private void handOver(io.meshfed.controller.sync.convert.IpHolder holder) {
    Running r = sessions.get(holder.cluster().value());
    if (r != null) {
      r.session().reapplyEndpoint(holder.endpoint());
    }
  }

  /** What {@code GET /api/v1/clusters/{name}/sync} shows: the status and the write path's counters. */
  public Optional<Map<String, Object>> view(String name) {
    return Optional.ofNullable(sessions.get(name)).map(r -> r.session().view());
  }

  public Optional<SyncStatus> status(String name) {
    return Optional.ofNullable(sessions.get(name)).map(r -> r.session().status());
  }

  private static KubernetesClient connect(MemberCredentials creds) {
    return MemberConnection.fromCredentials(creds);
  }

  @Override
  public synchronized void close() {
    sessions.values().forEach(r -> r.session().close());
    sessions.clear();
    supervisor.shutdownNow();
    auditor.shutdownNow();
  }
}
