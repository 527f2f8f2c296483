package io.meshfed.controller.runtime;

import io.meshfed.controller.clustermesh.ClusterMeshSecretReconciler;
import io.meshfed.controller.clusters.CredentialRenewer;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.health.ClusterFacts;
import io.meshfed.controller.health.HealthService;
import io.meshfed.controller.health.SyncStatusBoard;
import io.meshfed.controller.election.LeaderElection;
import io.meshfed.controller.join.JoinService;
import io.meshfed.controller.policy.rollout.PolicyRollout;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.sync.OrphanedClusterData;
import io.meshfed.controller.sync.SyncManager;
import io.meshfed.controller.sync.kv.Heartbeat;
import io.meshfed.controller.sync.kv.MarkerSettings;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work only the leader does, started when this replica is elected and stopped, first thing,
 * when it is deposed: sync sessions and their periodic reconcile, the heartbeat, the periodic
 * cilium-clustermesh Secret reconcile, policy rollout, credential renewal, orphaned-data cleanup
 * and the rollback of joins whose replica died. Runs its start and stop on the election thread.
 *
 * <p>Joins, leaves and policy changes are served by every replica. One made on a follower
 * reaches the leader through its poll every {@link #MEMBERSHIP_POLL_MS}: the leader reads the
 * member records and the policies' revisions (keys only) that often and reconciles what changed.
 * Every {@link #SYNC_STATUS_PUBLISH_MS} the leader publishes each member's sync
 * summary ({@link SyncStatusBoard}) for followers' health answers.
 */
final class LeaderDuties implements LeaderElection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderDuties.class);
  static final long MEMBERSHIP_POLL_MS = 2_000;
  /** Threads for the leader's blocking work: its six periodic duties and the background rounds. */
  private static final int LEADER_WORKERS = 6;
  private static final long CREDENTIAL_CHECK_MS = 60_000;
  private static final long CLUSTERMESH_RECONCILE_MS = 300_000;
  private static final long SYNC_RECONCILE_MS = 30_000;
  /** How often the leader publishes sync summaries for followers' health answers. */
  static final long SYNC_STATUS_PUBLISH_MS = 5_000;

  private final Vertx vertx;
  /**
   * The leader's blocking work (member API calls, Secret rounds, etcd reads) runs here, not on the
   * Vert.x worker pool the API's handlers use: a round waiting on members that are down (each call
   * up to its timeout and retries) must not leave API requests queued behind it.
   */
  private final io.vertx.core.WorkerExecutor work;
  private final MeshStore store;
  private final SyncManager sync;
  private final ClusterMeshSecretReconciler clusterMesh;
  /** Builds a rollout whose status and event writes are behind the given fence. */
  private final Function<Fence, PolicyRollout> rollouts;
  /** Never started: prunes a leaving member's policies when this replica does not lead. */
  private final PolicyRollout pruneOnly;
  private final CredentialRenewer renewer;
  private final Consumer<String> removeDataLater;
  private final ScheduledExecutorService markerScheduler;
  private final Clock clock;
  private final Fence fence;
  private final Supplier<Set<String>> liveInstances;
  private JoinService join;
  private final SyncStatusBoard board;
  private final PolicyStore policies;

  // per term; written on the election thread
  private volatile PolicyRollout rollout;
  private Heartbeat heartbeat;
  private final List<Long> timers = new ArrayList<>();
  private volatile String membership = "";
  /** The policies' revisions at the last poll: a difference is a change made through any replica. */
  private volatile Map<PolicyKey, Long> policyRevisions = Map.of();

  LeaderDuties(Vertx vertx, MeshStore store, SyncManager sync, ClusterMeshSecretReconciler clusterMesh, Function<Fence, PolicyRollout> rollouts,
      CredentialRenewer renewer, Consumer<String> removeDataLater, ScheduledExecutorService markerScheduler, Clock clock, Fence fence,
      Supplier<Set<String>> liveInstances, SyncStatusBoard board, PolicyStore policies) {
    this.board = board;
    this.policies = policies;
    this.vertx = vertx;
    this.work = vertx.createSharedWorkerExecutor("meshfed-leader-work", LEADER_WORKERS, 10, java.util.concurrent.TimeUnit.MINUTES);
    this.store = store;
    this.sync = sync;
    this.clusterMesh = clusterMesh;
    this.rollouts = rollouts;
    // Leaves served by a follower prune with it: the leaving member's statuses are deleted by the
    // leave itself, so nothing it writes can race the leader's.
    this.pruneOnly = rollouts.apply(Fence.unfenced());
    this.renewer = renewer;
    this.removeDataLater = removeDataLater;
    this.markerScheduler = markerScheduler;
    this.clock = clock;
    this.fence = fence;
    this.liveInstances = liveInstances;
  }

  /** The join service exists after these duties (it calls {@link #membershipChanged}). */
  void withJoin(JoinService join) {
    this.join = join;
  }

  @Override
  public void elected(Fence.Token token) {
    sweepOrphans("elected with token " + token.revision());
    int rolledBack = join.rollbackAbandoned(liveInstances.get());
    if (rolledBack > 0) {
      LOG.warn("op=leader.rollback-joins rolledBackAbandonedJoins={} token={}", rolledBack, token.revision());
    }
    heartbeat = Heartbeat.start(store.client(), MarkerSettings.defaults(), markerScheduler, clock, fence);
    sync.resume();
    policyRevisions = policies.revisions();
    PolicyRollout r = rollouts.apply(fence);
    r.start();
    rollout = r;
    membership = membership();
    // Secrets too, at once: a join whose background reconcile died with the previous leader left
    // members without their cilium-clustermesh entries, which the 5-minute round would fix late.
    background(() -> {
      sync.reconcile();
      return clusterMesh.reconcileAll();
    });
    every(SYNC_RECONCILE_MS, () -> {
      sync.reconcile();
      sweepOrphans("periodic");
      return null;
    });
    every(CLUSTERMESH_RECONCILE_MS, clusterMesh::reconcileAll);
    every(CREDENTIAL_CHECK_MS, renewer::renewDue);
    every(SYNC_STATUS_PUBLISH_MS, this::publishSyncStatus);
    every(MEMBERSHIP_POLL_MS, () -> {
      String now = membership();
      if (!now.equals(membership)) {
        membership = now;
        membershipChanged();
        // A leave served by a follower left the member's synced data to the leader.
        sweepOrphans("membership changed");
      }
      pollPolicies();
      return null;
    });
  }

  @Override
  public void deposed(String reason) {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    PolicyRollout r = rollout;
    rollout = null;
    if (r != null) {
      r.close();
    }
    sync.pause();
    if (heartbeat != null) {
      heartbeat.close();
      heartbeat = null;
    }
  }

  /** Stops everything (the controller is closing); the election has already deposed this replica. */
  void close() {
    deposed("closing");
    pruneOnly.close();
    work.close();
  }

  /**
   * A member joined or left (or its credentials or labels changed): on the leader, start/stop sync
   * sessions, rewrite every member's cilium-clustermesh Secret and start/stop policy rollouts, off
   * the request path. On a follower nothing: the leader's membership poll sees the change.
   */
  void membershipChanged() {
    PolicyRollout r = rollout;
    if (r == null) {
      return;
    }
    r.membersChanged();
    background(() -> {
      // What the membership poll compares with, so it does not see this change again and
      // rewrite every member's Secret a second time.
      membership = membership();
      sync.reconcile();
      return clusterMesh.reconcileAll();
    });
  }

  /**
   * Removes the synced data of clusters that are no members: a leave served by a follower, or a
   * removal cut short by a restart or a change of leader. Removals already under way are joined.
   */
  private void sweepOrphans(String why) {
    for (String orphan : OrphanedClusterData.find(store)) {
      LOG.info("cluster={} op=leader.orphan-data removing=true why=\"{}\" (not a member)", orphan, why);
      removeDataLater.accept(orphan);
    }
  }

  /** Stored policies changed: the leader pushes them now; a follower leaves it to the leader's resync. */
  void policiesChanged(Collection<PolicyKey> changed) {
    PolicyRollout r = rollout;
    if (r != null) {
      r.policiesChanged(changed);
    }
  }

  /** A member is leaving: its managed policies are pruned with its own credentials (on any replica), its sync stops. */
  void memberLeaving(String name) {
    PolicyRollout r = rollout;
    (r != null ? r : pruneOnly).memberLeaving(name);
    sync.stop(name);
  }

  /** Pushes policies changed since the last poll (through this or another replica). */
  private void pollPolicies() {
    Map<PolicyKey, Long> now = policies.revisions();
    Set<PolicyKey> changed = changedKeys(policyRevisions, now);
    policyRevisions = now;
    PolicyRollout r = rollout;
    if (!changed.isEmpty() && r != null) {
      LOG.info("op=leader.policies changed={} (seen by the poll)", changed.size());
      r.policiesChanged(changed);
    }
  }

  /** Keys added, removed, or changed at another revision between two polls. */
  static Set<PolicyKey> changedKeys(Map<PolicyKey, Long> before, Map<PolicyKey, Long> after) {
    Set<PolicyKey> changed = new HashSet<>();
    after.forEach((k, rev) -> {
      if (!rev.equals(before.get(k))) {
        changed.add(k);
      }
    });
    before.keySet().stream().filter(k -> !after.containsKey(k)).forEach(changed::add);
    return changed;
  }

  private Void publishSyncStatus() {
    Map<String, ClusterFacts.SyncFacts> facts = new TreeMap<>();
    for (ClusterRecord c : store.clusters()) {
      sync.status(c.name()).ifPresent(status -> facts.put(c.name(), HealthService.syncFacts(status)));
    }
    board.publish(facts, fence);
    return null;
  }

  private String membership() {
    TreeMap<String, String> seen = new TreeMap<>();
    for (ClusterRecord c : store.clusters()) {
      seen.put(c.name(), c.state() + "|" + c.credentialExpiry() + "|" + new TreeMap<>(c.labels()));
    }
    return seen.toString();
  }

  /**
   * Runs {@code work} every {@code millis} on a worker, skipping a tick while the previous run is
   * still going: when etcd hangs, each run blocks a worker for the store's 15 s timeout, and
   * overlapping runs of the 2 s membership poll and the 5 s status publish would take every worker
   * and stall this replica's whole API, health checks included.
   */
  private void every(long millis, Callable<?> work) {
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    timers.add(vertx.setPeriodic(millis, id -> {
      if (!running.compareAndSet(false, true)) {
        return;
      }
      this.work.executeBlocking(work, false)
          .onComplete(done -> running.set(false))
          .onFailure(e -> LOG.warn("op=leader.work failed=\"{}\"", e.toString()));
    }));
  }

  private void background(Callable<?> work) {
    this.work.executeBlocking(work, false).onFailure(e -> LOG.warn("op=leader.work failed=\"{}\"", e.toString()));
  }
}
