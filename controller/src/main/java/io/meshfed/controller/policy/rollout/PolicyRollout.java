package io.meshfed.controller.policy.rollout;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.certs.SecretBox;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.store.PolicyStatusRecord;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.SealedSecrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the mesh policies to every JOINED member and keeps them there: one {@link MemberRollout}
 * per member (its own informers, work queue and retries), all on one small worker pool.
 *
 * <p>Triggers: a policy change through the API ({@link #policiesChanged}), a join or leave
 * ({@link #membersChanged}), drift seen by a member's informers, retries that are due, and a full
 * resync of every member every {@link RolloutSettings#resyncInterval()} (which also picks up
 * changes another controller replica wrote). The etcd record is the truth; what members hold is
 * derived from it, so a restart simply reconciles everything again (writes only what differs).
 */
public final class PolicyRollout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRollout.class);
  /** How long a leaving member is kept out of the rollout if its leave does not complete. */
  private static final Duration LEAVING_HOLD = Duration.ofMinutes(5);

  private final MeshStore store;
  private final PolicyStore policies;
  private final Clock clock;
  private final RolloutSettings settings;
  private final Function<ClusterRecord, KubernetesClient> connector;
  private final PolicyCatalog catalog = new PolicyCatalog();
  private final Map<String, MemberRollout> members = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor;
  private ScheduledFuture<?> periodic;
  private volatile boolean closed;

  public PolicyRollout(MeshStore store, PolicyStore policies, SecretBox secrets, Clock clock, RolloutSettings settings) {
    this(store, policies, clock, settings,
        c -> MemberConnection.fromCredentials(new SealedSecrets(secrets).credentials(c), settings.connection()));
  }

  /** @param connector a client of a member as the controller's ServiceAccount */
  public PolicyRollout(MeshStore store, PolicyStore policies, Clock clock, RolloutSettings settings,
      Function<ClusterRecord, KubernetesClient> connector) {
    this.store = store;
    this.policies = policies;
    this.clock = clock;
    this.settings = settings;
    this.connector = connector;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newScheduledThreadPool(settings.workers(), r -> {
      Thread t = new Thread(r, "meshfed-policy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Reads the policies, starts a worker per member and the periodic resync; returns at once. */
  public synchronized void start() {
    periodic = executor.scheduleWithFixedDelay(this::resync, 0, settings.resyncInterval().toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("op=policy.start resyncInterval={} workers={}", settings.resyncInterval(), settings.workers());
  }

  public PolicyCatalog catalog() {
    return catalog;
  }

  /** Re-reads the policies and reconciles {@code changed} in every member (blocking read; call off the event loop). */
  public void policiesChanged(Collection<PolicyKey> changed) {
    catalog.reload(policies);
    List<PolicyKey> keys = List.copyOf(changed);
    members.values().forEach(m -> m.request(keys, false));
  }

  /** A member joined or left (or its credentials or labels changed): reconcile members, then everything. */
  public void membersChanged() {
    if (closed) {
      return;
    }
    executor.execute(() -> {
      try {
        reconcileMembers();
        members.values().forEach(m -> m.request(List.of(), true));
      } catch (RuntimeException e) {
        LOG.warn("op=policy.members failed=\"{}\" retry=next-resync", e.getMessage());
      }
    });
  }

  private void resync() {
    if (closed) {
      return;
    }
    try {
      catalog.reload(policies);
      reconcileMembers();
      members.values().forEach(m -> m.request(List.of(), true));
    } catch (RuntimeException e) {
      LOG.warn("op=policy.resync failed=\"{}\" retry=next-resync", e.getMessage());
    }
  }

  /** One worker per JOINED member, restarted when its credentials were renewed; stops those of members that left. */
  synchronized void reconcileMembers() {
    if (closed) {
      return;
    }
    Set<String> present = new HashSet<>();
    boolean firstRound = members.isEmpty();
    // Marks in etcd, not memory: a leave served by another replica, or by this one before it was
    // re-elected (a new rollout), must keep this rollout away from the leaving member too.
    Map<String, Instant> leaving = store.leavingMembers(clock.instant());
    for (ClusterRecord c : store.clusters()) {
      present.add(c.name());
      Instant since = leaving.get(c.name());
      if (since != null) {
        if (clock.instant().isBefore(since.plus(LEAVING_HOLD))) {
          MemberRollout m = members.remove(c.name());
          if (m != null) {
            m.close();
          }
          continue;
        }
        LOG.warn("cluster={} op=policy.leave state=incomplete (still a member after {}); pushing policies again", c.name(), LEAVING_HOLD);
      }
      if (c.state() != ClusterRecord.State.JOINED) {
        continue;
      }
      MemberRollout m = members.get(c.name());
      if (m != null && m.credentialExpiry != null && m.credentialExpiry.equals(c.credentialExpiry())) {
        m.labels(c.labels());
        continue;
      }
      if (m != null) {
        m.close();
      }
      MemberRollout fresh = new MemberRollout(c.name(), c.labels(), c.credentialExpiry(), () -> connector.apply(c), catalog, policies,
          clock, settings, executor, () -> ThreadLocalRandom.current().nextDouble()).withLeaving(() -> leaving(c.name()));
      try {
        fresh.start();
        members.put(c.name(), fresh);
      } catch (RuntimeException e) {
        fresh.close();
        members.remove(c.name());
        LOG.warn("cluster={} op=policy.member.start failed=\"{}\" retry=next-resync", c.name(), e.getMessage());
      }
    }
    for (String name : Set.copyOf(members.keySet())) {
      if (!present.contains(name)) {
        MemberRollout m = members.remove(name);
        if (m != null) {
          m.close();
        }
        forgetStatuses(name);
      }
    }
    if (firstRound) {
      // Statuses of clusters that left while no controller ran.
      Set<String> orphaned = new HashSet<>();
      for (PolicyStatusRecord s : policies.statuses()) {
        if (!present.contains(s.cluster())) {
          orphaned.add(s.cluster());
        }
      }
      orphaned.forEach(this::forgetStatuses);
    }
  }

  /**
   * A member is leaving: stop pushing to it, then delete every meshfed-managed policy from it with
   * its own credentials (objects without our label are never touched), and forget its statuses.
   * Blocking, best effort: an unreachable member keeps its copies (logged); they carry our label.
   * Call before the member's record and credentials are deleted.
   */
  public void memberLeaving(String cluster) {
    MemberRollout m;
    synchronized (this) {
      m = members.remove(cluster);
    }
    if (m != null) {
      m.close();
    }
    Optional<ClusterRecord> record = store.cluster(cluster).map(v -> v.value());
    if (record.isEmpty()) {
      return;
    }
    try (KubernetesClient c = connector.apply(record.get())) {
      int n = MemberRollout.pruneEverything(c, cluster);
      LOG.info("cluster={} op=policy.leave pruned={}", cluster, n);
    } catch (RuntimeException e) {
      LOG.warn("cluster={} op=policy.leave pruned=incomplete error=\"{}\" (meshfed-labelled policies stay in the member; "
          + "kubectl delete cnp,ccnp -A -l app.kubernetes.io/managed-by=meshfed removes them)", cluster, e.getMessage());
    }
    forgetStatuses(cluster);
  }

  private void forgetStatuses(String cluster) {
    try {
      policies.deleteClusterStatuses(cluster);
    } catch (RuntimeException e) {
      LOG.warn("cluster={} op=policy.status.forget failed=\"{}\"", cluster, e.getMessage());
    }
  }

  /** True while {@code cluster}'s leave mark is in etcd and younger than {@link #LEAVING_HOLD} (one read). */
  boolean leaving(String cluster) {
    Instant now = clock.instant();
    return store.leavingSince(cluster, now).map(since -> now.isBefore(since.plus(LEAVING_HOLD))).orElse(false);
  }

  /** The members a worker runs for (tests, views). */
  public Set<String> members() {
    return Set.copyOf(members.keySet());
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (periodic != null) {
      periodic.cancel(false);
    }
    members.values().forEach(MemberRollout::close);
    members.clear();
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
