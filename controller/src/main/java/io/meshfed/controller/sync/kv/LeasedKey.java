package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeadershipLostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key kept in etcd under its own lease and put again every {@code refresh}: the heartbeat and
 * a cluster's config. A lost lease (keep-alive {@code onCompleted} or NOT_FOUND in jetcd 0.8.6, or
 * a put answered "lease not found") is replaced by a new one and the key is put again at once; a
 * failed put is retried with back-off, not only at the next refresh.
 *
 * <p>Fenced: each put is a transaction behind the {@link Fence}'s compares. A refused one is not
 * retried: the fence is told (the election steps down) and the key stops being refreshed.
 *
 * <p>Non-blocking: every step is a jetcd future chained on the given scheduler's tick; at most one
 * put is in flight (a tick arriving meanwhile runs right after it).
 */
final class LeasedKey implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeasedKey.class);

  private final String cluster;
  private final String op;
  private final ByteSequence key;
  private final Supplier<byte[]> value;
  private final KV kv;
  private final Lease leases;
  private final long ttlSeconds;
  private final Duration refresh;
  private final Duration requestTimeout;
  private final ScheduledExecutorService scheduler;
  private final CompletableFuture<Void> firstWrite = new CompletableFuture<>();
  private final Backoff backoff;
  private final Fence fence;

  // guarded by this
  private long leaseId;
  private CloseableClient keepAlive;
  private boolean writing;
  private boolean again;
  private boolean closed;
  private ScheduledFuture<?> periodic;

  LeasedKey(Client client, String key, Supplier<byte[]> value, Duration ttl, Duration refresh,
      Duration requestTimeout, ScheduledExecutorService scheduler, String cluster, String op, Fence fence) {
    this.fence = fence;
    this.cluster = cluster;
    this.op = op;
    this.key = EtcdCalls.bytes(key);
    this.value = value;
    this.kv = client.getKVClient();
    this.leases = client.getLeaseClient();
    this.ttlSeconds = ttl.toSeconds();
    this.refresh = refresh;
    this.requestTimeout = requestTimeout;
    this.scheduler = scheduler;
    Duration retryMax = refresh.compareTo(Duration.ofSeconds(30)) < 0 ? refresh : Duration.ofSeconds(30);
    this.backoff = new Backoff(Duration.ofMillis(Math.min(500, retryMax.toMillis())), retryMax);
  }

  /** Writes the key now and every {@code refresh}; the future completes after the first write. */
  synchronized CompletableFuture<Void> start() {
    if (periodic == null && !closed) {
      periodic = scheduler.scheduleWithFixedDelay(this::tick, refresh.toMillis(), refresh.toMillis(),
          TimeUnit.MILLISECONDS);
      runSoon(0);
    }
    return firstWrite;
  }

  /** Completes after the first successful put. */
  CompletableFuture<Void> firstWrite() {
    return firstWrite;
  }

  /** The lease the key is currently written with (0 before the first grant). */
  synchronized long leaseId() {
    return leaseId;
  }

  /** Stops refreshing and the keep-alive; the key stays until its lease expires (no revoke). */
  @Override
  public synchronized void close() {
    closed = true;
    if (periodic != null) {
      periodic.cancel(false);
    }
    if (keepAlive != null) {
      keepAlive.close();
      keepAlive = null;
    }
    firstWrite.completeExceptionally(new CacheWriteException("cluster=" + cluster + " op=" + op + ": closed"));
  }

  private void tick() {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (writing) {
        again = true;
        return;
      }
      writing = true;
    }
    lease()
        .thenCompose(id -> kv.txn().If(fence.compares())
            .Then(Op.put(key, ByteSequence.from(value.get()), PutOption.builder().withLeaseId(id).build()))
            .commit()
            .thenApply(r -> {
              if (!r.isSucceeded()) {
                throw new LeadershipLostException("etcd refused the fenced put (the leader key changed)");
              }
              return id;
            }))
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(this::written);
  }

  private CompletableFuture<Long> lease() {
    synchronized (this) {
      if (leaseId != 0) {
        return CompletableFuture.completedFuture(leaseId);
      }
    }
    return leases.grant(ttlSeconds).thenApply(granted -> {
      long id = granted.getID();
      synchronized (this) {
        leaseId = id;
        if (!closed) {
          keepAlive = leases.keepAlive(id, new LossObserver(id));
        }
      }
      LOG.info("cluster={} op={} step=lease-grant lease={} ttl={}s", cluster, op, LeasePool.hex(id), ttlSeconds);
      return id;
    });
  }

  private void written(Long id, Throwable error) {
    boolean runAgain;
    long delayMillis = 0;
    synchronized (this) {
      writing = false;
      runAgain = again;
      again = false;
      if (error == null) {
        backoff.reset();
      } else if (LeadershipLostException.isCause(error)) {
        if (closed) {
          return; // stopped with the leader work: nothing to report
        }
        LOG.warn("cluster={} op={} key={} result=fenced action=stop reason=\"{}\"", cluster, op, EtcdCalls.text(key),
            EtcdCalls.unwrap(error).getMessage());
        fence.refused("cluster=" + cluster + " " + op + ": " + EtcdCalls.unwrap(error).getMessage());
        close();
        return;
      } else {
        Throwable cause = EtcdCalls.unwrap(error);
        if (EtcdCalls.isLeaseNotFound(cause)) {
          forgetLease(leaseId);
        }
        delayMillis = backoff.next().toMillis();
        runAgain = true;
        LOG.warn("cluster={} op={} key={} result=error retryInMs={} error=\"{}\"", cluster, op, EtcdCalls.text(key),
            delayMillis, cause.getMessage());
      }
      if (closed) {
        return;
      }
    }
    if (error == null) {
      LOG.debug("cluster={} op={} key={} lease={} result=ok", cluster, op, EtcdCalls.text(key), LeasePool.hex(id));
      firstWrite.complete(null);
    }
    if (runAgain) {
      runSoon(delayMillis);
    }
  }

  /** Lock held. */
  private void forgetLease(long id) {
    if (id == 0 || id != leaseId) {
      return;
    }
    leaseId = 0;
    if (keepAlive != null) {
      keepAlive.close();
      keepAlive = null;
    }
  }

  private void lost(long id, String reason) {
    synchronized (this) {
      if (closed || id != leaseId) {
        return;
      }
      forgetLease(id);
    }
    LOG.warn("cluster={} op={} step=lease-lost lease={} reason=\"{}\" action=rewrite-on-new-lease", cluster, op,
        LeasePool.hex(id), reason);
    runSoon(0);
  }

  /** Schedules a tick; a scheduler already shut down means the owner is stopping: nothing to do. */
  private void runSoon(long delayMillis) {
    try {
      scheduler.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      LOG.debug("cluster={} op={} result=not-scheduled reason=scheduler-stopped", cluster, op);
    }
  }

  private final class LossObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final long id;

    LossObserver(long id) {
      this.id = id;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      // renewed
    }

    @Override
    public void onError(Throwable error) {
      if (EtcdCalls.isLeaseNotFound(error)) {
        lost(id, "keep-alive: requested lease not found");
      }
      // other stream errors: jetcd re-opens the stream itself; only its deadline means loss
    }

    @Override
    public void onCompleted() {
      lost(id, "keep-alive deadline passed (etcd unreachable for a TTL)");
    }
  }
}
