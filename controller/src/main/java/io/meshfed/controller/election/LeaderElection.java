package io.meshfed.controller.election;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.StoreException;
import io.meshfed.controller.sync.kv.EtcdCalls;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election among controller replicas on one etcd.
 *
 * <p><b>Campaign.</b> A candidate holds a lease of {@code ttl} (kept alive by jetcd) and sends ONE
 * transaction: {@code If(createRevision(meshfed/leader) == 0) Then(put(meshfed/leader, record, lease))}.
 * The winner's fencing token is the key's create revision (the transaction's revision); the record
 * names the replica and when it won. A follower sends the same transaction every {@code tick}, so
 * it takes over at most one tick after the key is gone: at once after a leader's graceful stop
 * (it revokes its lease), within the TTL plus a tick after a crash.
 *
 * <p><b>Stepping down.</b> The leader stops leader work AT ONCE (its {@link Fence} refuses locally
 * before anything else happens) when jetcd ends the keep-alive ({@code onCompleted}: the lease is
 * lost in jetcd 0.8.6; or NOT_FOUND), when a fenced write is refused by etcd, or when the lease's
 * expiry can no longer be confirmed with {@code margin} to spare on the injected clock. It then
 * gives its lease up and campaigns again with a new one.
 *
 * <p><b>Threads.</b> Everything runs on one daemon thread ({@code meshfed-leader-election}):
 * campaigns, checks, and the listener's callbacks, which may block (they start and stop the
 * leader's work). jetcd callbacks and writers only hand events to that thread.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The leader key, under the controller's etcd role prefix. */
  public static final String KEY = "meshfed/leader";
  /** Every replica's presence, on its candidacy lease: {@code meshfed/replicas/<instance>}. */
  public static final String REPLICAS = "meshfed/replicas/";
  /** Default lease TTL (MESHFED_LEADER_LEASE_SECONDS). */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** Leader work starts and stops here; both run on the election thread and may block. */
  public interface Listener {
    void elected(Fence.Token token);

    void deposed(String reason);
  }

  /** This replica's term: its token and when it won. */
  public record Term(Fence.Token token, Instant since) {}

  private final KV kv;
  private final Lease leases;
  private final String instanceId;
  private final Duration ttl;
  private final Duration tick;
  private final Duration margin;
  private final Clock clock;
  private final Listener listener;
  private final Fence fence;
  private final ByteSequence key = ByteSequence.from(KEY, StandardCharsets.UTF_8);
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "meshfed-leader-election");
    t.setDaemon(true);
    return t;
  });

  // written on the election thread only; volatile for readers elsewhere
  private long leaseId;
  private CloseableClient keepAlive;
  private volatile Instant leaseConfirmedUntil = Instant.MIN;
  private volatile Term term;
  private volatile boolean closed;

  /**
   * @param ttl the lease TTL (failover after a crash takes at most this plus one tick)
   */
  public LeaderElection(Client client, String instanceId, Duration ttl, Clock clock, Listener listener) {
    this(client, instanceId, ttl, defaultTick(ttl), clock, listener);
  }

  LeaderElection(Client client, String instanceId, Duration ttl, Duration tick, Clock clock, Listener listener) {
    this.kv = client.getKVClient();
    this.leases = client.getLeaseClient();
    this.instanceId = instanceId;
    this.ttl = ttl;
    this.tick = tick;
    // jetcd renews every TTL/3; a fifth of the TTL (at least two ticks) to spare means two renewals
    // were missed before the leader gives up, and it gives up well before etcd would expire it.
    this.margin = max(ttl.dividedBy(5), tick.multipliedBy(2));
    this.clock = clock;
    this.listener = listener;
    this.fence = new Fence(KEY, this::refused);
  }

  /** A follower polls, and the leader checks its lease, every fifth of the TTL, at most every second. */
  static Duration defaultTick(Duration ttl) {
    Duration fifth = ttl.dividedBy(5);
    return fifth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : fifth;
  }

  /**
   * Campaigns once and waits for it (a single replica is the leader, with its leader work started,
   * when this returns), then keeps campaigning or checking every tick.
   */
  public LeaderElection start() {
    try {
      thread.submit(this::campaign).get(REQUEST_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("op=leader.campaign instance={} result=error error=\"{}\" retry=next-tick", instanceId, e.toString());
    }
    thread.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  public Fence fence() {
    return fence;
  }

  public String instanceId() {
    return instanceId;
  }

  public Duration ttl() {
    return ttl;
  }

  public boolean isLeader() {
    return term != null;
  }

  /** This replica's current term, if it leads. */
  public Optional<Term> term() {
    return Optional.ofNullable(term);
  }

  /**
   * Who leads according to etcd (blocking read; call from a worker): instance, since, token.
   * Empty while nobody holds the key.
   *
   * @throws StoreException when etcd does not answer or fails (the API's 503 StoreUnavailable, as
   *     for every other read: a replica cut off from etcd is not an internal error), or when the key
   *     holds no leader record
   */
  public Optional<Map<String, Object>> observedLeader() {
    var kvs = MeshStore.await(kv.get(key, GetOption.DEFAULT), KEY, REQUEST_TIMEOUT).getKvs();
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    KeyValue held = kvs.get(0);
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      var record = JSON.readTree(held.getValue().getBytes());
      out.put("instance", record.path("instance").asText());
      out.put("since", record.path("since").asText());
    } catch (java.io.IOException e) {
      throw new StoreException(KEY, "not a leader record: " + e.getMessage(), e);
    }
    out.put("token", held.getCreateRevision());
    return Optional.of(out);
  }

  /** The instance ids of the replicas alive now (blocking read; call from a worker). */
  public java.util.Set<String> liveInstances() {
    try {
      var kvs = kv.get(ByteSequence.from(REPLICAS, StandardCharsets.UTF_8), GetOption.builder().isPrefix(true).build())
          .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getKvs();
      java.util.Set<String> out = new java.util.HashSet<>();
      kvs.forEach(k -> out.add(k.getValue().toString(StandardCharsets.UTF_8)));
      out.add(instanceId);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("reading " + REPLICAS + ": " + e.getMessage(), e);
    }
  }

  /** Steps down if leading, gives the lease up so that another replica takes over at once, and stops. */
  @Override
  public void close() {
    try {
      thread.submit(() -> {
        closed = true;
        stepDown("closing", "stepdown");
      }).get(REQUEST_TIMEOUT.toMillis() * 4, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("op=leader.close instance={} unclean=\"{}\"", instanceId, e.toString());
    } finally {
      thread.shutdownNow();
    }
  }

  /** Test hook: run the periodic work now, on the election thread, and wait for it. */
  void tickNow() throws Exception {
    thread.submit(this::tick).get(REQUEST_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
  }

  // ---- the election thread ------------------------------------------------------------------

  private void tick() {
    if (closed) {
      return;
    }
    try {
      if (term != null) {
        checkLease();
      } else {
        campaign();
      }
    } catch (RuntimeException e) {
      LOG.warn("op=leader.tick instance={} result=error error=\"{}\"", instanceId, e.toString());
    }
  }

  private void campaign() {
    if (closed || term != null) {
      return;
    }
    try {
      if (leaseId == 0) {
        grantLease();
      }
      Instant now = clock.instant();
      byte[] record = JSON.writeValueAsBytes(Map.of("instance", instanceId, "since", now.toString()));
      TxnResponse r = kv.txn()
          .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
          .Then(Op.put(key, ByteSequence.from(record), PutOption.builder().withLeaseId(leaseId).build()))
          .commit().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (r.isSucceeded()) {
        become(new Fence.Token(instanceId, r.getHeader().getRevision(), record), now);
      }
    } catch (Exception e) {
      LOG.warn("op=leader.campaign instance={} result=error error=\"{}\" retry=next-tick", instanceId, e.toString());
      if (EtcdCalls.isLeaseNotFound(e)) {
        dropLease();
      }
    }
  }

  private void grantLease() throws Exception {
    Instant asked = clock.instant();
    LeaseGrantResponse g = leases.grant(ttl.toSeconds()).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    leaseId = g.getID();
    // Counted from before the request: etcd's clock started no earlier.
    leaseConfirmedUntil = asked.plusSeconds(g.getTTL());
    keepAlive = leases.keepAlive(leaseId, new KeepAliveObserver(leaseId));
    // Presence on the same lease: the leader rolls back half-done joins only of replicas gone.
    kv.put(ByteSequence.from(REPLICAS + instanceId, StandardCharsets.UTF_8), ByteSequence.from(instanceId, StandardCharsets.UTF_8),
        PutOption.builder().withLeaseId(leaseId).build()).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void become(Fence.Token token, Instant since) {
    term = new Term(token, since);
    fence.set(token);
    LOG.info("op=leader.acquired instance={} token={} lease={} ttl={}s", instanceId, token.revision(), Long.toHexString(leaseId),
        ttl.toSeconds());
    try {
      listener.elected(token);
    } catch (RuntimeException e) {
      LOG.warn("op=leader.acquired instance={} token={} result=start-failed error=\"{}\"", instanceId, token.revision(), e.toString());
      stepDown("leader work failed to start: " + e.getMessage(), "stepdown");
    }
  }

  private void checkLease() {
    Instant now = clock.instant();
    if (!now.plus(margin).isBefore(leaseConfirmedUntil)) {
      stepDown("lease not confirmed: expires by " + leaseConfirmedUntil + ", now " + now + ", margin " + margin.toMillis() + "ms",
          "stepdown");
    }
  }

  /** Stops leader work (the fence refuses first), then gives the lease up; the next tick campaigns anew. */
  private void stepDown(String reason, String op) {
    Term t = term;
    fence.set(null);
    term = null;
    if (t != null) {
      if (closed) {
        LOG.info("op=leader.{} instance={} token={} reason=\"{}\"", op, instanceId, t.token().revision(), reason);
      } else {
        LOG.warn("op=leader.{} instance={} token={} reason=\"{}\"", op, instanceId, t.token().revision(), reason);
      }
      try {
        listener.deposed(reason);
      } catch (RuntimeException e) {
        LOG.warn("op=leader.{} instance={} token={} result=stop-failed error=\"{}\"", op, instanceId, t.token().revision(), e.toString());
      }
    }
    long id = leaseId;
    dropLease();
    if (id != 0) {
      // Best effort: the key (if still ours) goes at once, so a successor need not wait for the TTL.
      CompletableFuture<?> revoke = leases.revoke(id);
      try {
        revoke.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.debug("op=leader.revoke instance={} lease={} result=error error=\"{}\"", instanceId, Long.toHexString(id), e.toString());
      }
    }
  }

  private void dropLease() {
    if (keepAlive != null) {
      keepAlive.close();
      keepAlive = null;
    }
    leaseId = 0;
    leaseConfirmedUntil = Instant.MIN;
  }

  private void leaseLost(long id, String reason) {
    if (id != leaseId) {
      return;
    }
    if (term != null) {
      stepDown("keep-alive ended: " + reason, "lost");
    } else {
      dropLease();
    }
  }

  private void refused(String reason) {
    if (fence.current().isEmpty()) {
      return; // already stepped down
    }
    fence.set(null);
    onThread(() -> {
      if (term != null) {
        stepDown("fenced write refused: " + reason, "lost");
      }
    });
  }

  private void onThread(Runnable r) {
    try {
      thread.execute(r);
    } catch (RejectedExecutionException closing) {
      LOG.debug("op=leader.event instance={} result=dropped reason=closed", instanceId);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final long id;

    KeepAliveObserver(long id) {
      this.id = id;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      if (response.getTTL() <= 0) {
        onThread(() -> leaseLost(id, "keep-alive answered TTL " + response.getTTL()));
        return;
      }
      // The answer left etcd before it arrived here: counting from now overstates the expiry by
      // the answer's transit time, far below the margin checkLease keeps.
      Instant until = clock.instant().plusSeconds(response.getTTL());
      onThread(() -> {
        if (id == leaseId) {
          leaseConfirmedUntil = until;
        }
      });
    }

    @Override
    public void onError(Throwable error) {
      // Other stream errors: jetcd re-opens the stream itself; if renewals stop meanwhile, the
      // lease check steps down before the lease could expire.
      if (EtcdCalls.isLeaseNotFound(error)) {
        onThread(() -> leaseLost(id, "keep-alive: requested lease not found"));
      }
    }

    @Override
    public void onCompleted() {
      onThread(() -> leaseLost(id, "keep-alive deadline passed (etcd unreachable for a TTL)"));
    }
  }
}
