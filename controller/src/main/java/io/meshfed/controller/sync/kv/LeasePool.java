package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.meshfed.controller.sync.kv.EtcdCalls.EtcdCallException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases one {@link CacheWriter} attaches its keys to, as Cilium's etcd lease manager does
 * (spec 1.4): a key stays on the lease it was first written with; new keys go to the current lease
 * until it holds {@code keysPerLease} keys, then a new lease is granted. Every lease is kept alive
 * with jetcd's {@code keepAlive}.
 *
 * <p>Loss: jetcd 0.8.6 reports a lease that is gone as {@code onError(NOT_FOUND)} (TTL 0) and a
 * lease whose keep-alive deadline passed (etcd unreachable for a TTL) as {@code onCompleted()}.
 * Either way the keys may be gone from etcd; the pool queues the loss and wakes the writer, which
 * re-writes those keys on a fresh lease. A lease that stays alive after all (the deadline case)
 * is harmless: re-written keys move to the new lease, and the old one expires empty.
 *
 * <p>Threading: everything except the keep-alive callbacks and the counters runs on the writer
 * thread; callbacks only enqueue into {@link #lost}.
 */
final class LeasePool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeasePool.class);

  /** A lease that jetcd or etcd reported as gone. */
  record LostLease(long id, String reason) {
  }

  private final String cluster;
  private final Lease leases;
  private final long ttlSeconds;
  private final int keysPerLease;
  private final Duration requestTimeout;
  private final Runnable wakeWriter;

  private final Map<Long, Set<String>> keysByLease = new HashMap<>();
  private final Map<String, Long> leaseByKey = new HashMap<>();
  private final Map<Long, CloseableClient> keepAlives = new HashMap<>();
  private long current;

  private final Queue<LostLease> lost = new ConcurrentLinkedQueue<>();
  private final AtomicLong granted = new AtomicLong();
  private final AtomicLong lostCount = new AtomicLong();
  private volatile boolean closed;

  LeasePool(String cluster, Lease leases, Duration ttl, int keysPerLease, Duration requestTimeout,
      Runnable wakeWriter) {
    this.cluster = cluster;
    this.leases = leases;
    this.ttlSeconds = ttl.toSeconds();
    this.keysPerLease = keysPerLease;
    this.requestTimeout = requestTimeout;
    this.wakeWriter = wakeWriter;
  }

  /**
   * The lease {@code key} is (to be) written with: its own lease while that is alive, else the
   * current lease, granting a new one when the current is full or gone.
   */
  long leaseFor(String key) throws EtcdCallException {
    Long own = leaseByKey.get(key);
    if (own != null && keysByLease.containsKey(own)) {
      return own;
    }
    if (current == 0 || keysByLease.get(current).size() >= keysPerLease) {
      current = grant();
    }
    keysByLease.get(current).add(key);
    leaseByKey.put(key, current);
    return current;
  }

  /** {@code key} was deleted: it no longer counts against its lease. An emptied old lease is revoked. */
  void release(String key) {
    Long id = leaseByKey.remove(key);
    if (id == null) {
      return;
    }
    Set<String> keys = keysByLease.get(id);
    if (keys == null) {
      return;
    }
    keys.remove(key);
    if (keys.isEmpty() && id != current) {
      forget(id);
      // Nothing is attached any more; revoking saves etcd the keep-alives. Failure is harmless.
      leases.revoke(id).whenComplete((r, e) -> LOG.debug("cluster={} op=lease-revoke lease={} result={}", cluster,
          hex(id), e == null ? "ok" : "error: " + e.getMessage()));
    }
  }

  /** Losses reported since the last call, for leases this pool still holds. */
  List<LostLease> pollLost() {
    List<LostLease> out = new ArrayList<>();
    for (LostLease l = lost.poll(); l != null; l = lost.poll()) {
      if (keysByLease.containsKey(l.id())) {
        out.add(l);
      }
    }
    return out;
  }

  /** Forgets a lost lease and returns the keys that were on it (now to be re-written). */
  Set<String> drop(LostLease loss) {
    Set<String> keys = forget(loss.id());
    if (keys == null) {
      return Set.of();
    }
    lostCount.incrementAndGet();
    for (String key : keys) {
      leaseByKey.remove(key);
    }
    LOG.warn("cluster={} op=lease-lost lease={} keys={} reason=\"{}\" action=rewrite-on-new-lease", cluster,
        hex(loss.id()), keys.size(), loss.reason());
    return keys;
  }

  /** Whether {@code key} sits on a lease this pool still believes alive. */
  boolean hasLiveLease(String key) {
    Long id = leaseByKey.get(key);
    return id != null && keysByLease.containsKey(id);
  }

  /** The live leases {@code keys} are attached to. */
  Set<Long> leasesOf(Collection<String> keys) {
    Set<Long> out = new LinkedHashSet<>();
    for (String key : keys) {
      Long id = leaseByKey.get(key);
      if (id != null && keysByLease.containsKey(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * After a write failed with "lease not found": asks etcd which of {@code ids} are gone and
   * queues them as lost. When none can be identified, all are treated as lost: re-writing a few
   * keys too many is cheap, retrying forever against a dead lease is not.
   */
  void probe(Set<Long> ids) {
    List<Long> gone = new ArrayList<>();
    for (long id : ids) {
      try {
        long ttl = EtcdCalls.await(leases.timeToLive(id, LeaseOption.DEFAULT), requestTimeout).getTTL();
        if (ttl <= 0) {
          gone.add(id);
        }
      } catch (EtcdCallException e) {
        gone.add(id);
      }
    }
    for (long id : gone.isEmpty() ? ids : gone) {
      lost.add(new LostLease(id, "a write named it and etcd answered: requested lease not found"));
    }
  }

  long granted() {
    return granted.get();
  }

  long lost() {
    return lostCount.get();
  }

  /**
   * Stops the keep-alives. The leases are NOT revoked: after a controller restart the keys stay
   * readable until the next life re-writes them or the TTL runs out.
   */
  @Override
  public void close() {
    closed = true;
    keepAlives.values().forEach(CloseableClient::close);
    keepAlives.clear();
  }

  private long grant() throws EtcdCallException {
    long id = EtcdCalls.await(leases.grant(ttlSeconds), requestTimeout).getID();
    keysByLease.put(id, new HashSet<>());
    keepAlives.put(id, leases.keepAlive(id, new LossObserver(id)));
    granted.incrementAndGet();
    LOG.info("cluster={} op=lease-grant lease={} ttl={}s maxKeys={}", cluster, hex(id), ttlSeconds, keysPerLease);
    return id;
  }

  private Set<String> forget(long id) {
    CloseableClient keepAlive = keepAlives.remove(id);
    if (keepAlive != null) {
      keepAlive.close();
    }
    if (id == current) {
      current = 0;
    }
    return keysByLease.remove(id);
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }

  /** Turns jetcd's keep-alive signals into queued losses. */
  private final class LossObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final long id;

    LossObserver(long id) {
      this.id = id;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      // renewed; nothing to do
    }

    @Override
    public void onError(Throwable error) {
      if (closed) {
        return;
      }
      if (EtcdCalls.isLeaseNotFound(error)) {
        report("keep-alive: requested lease not found");
      } else {
        // jetcd re-opens the keep-alive stream itself after 500 ms; only its deadline means loss.
        LOG.debug("cluster={} op=lease-keepalive lease={} result=stream-error error=\"{}\"", cluster, hex(id),
            error.getMessage());
      }
    }

    @Override
    public void onCompleted() {
      if (!closed) {
        report("keep-alive deadline passed (etcd unreachable for a TTL)");
      }
    }

    private void report(String reason) {
      lost.add(new LostLease(id, reason));
      wakeWriter.run();
    }
  }
}
