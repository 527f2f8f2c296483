package io.meshfed.controller.sync.kv;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of one {@link CacheWriter}. {@link #defaults()} gives the production values; tests
 * shorten the lease TTL and the timeouts with the {@code with...} copies.
 *
 * @param maxBatchOps    operations per etcd transaction; etcd refuses more than
 *                       {@code --max-txn-ops} (default 128)
 * @param capacity       keys that may wait to be written; a {@code put} of a new key beyond this
 *                       blocks (backpressure) instead of growing the heap
 * @param putTimeout     how long a {@code put} may block on a full queue before it fails
 * @param leaseTtl       TTL of the leases keys are written with (Cilium: 15 min, spec 1.4)
 * @param keysPerLease   keys attached to one lease before a new one is granted (Cilium: 1000)
 * @param retryInitial   first back-off after a failed transaction
 * @param retryMax       cap of the (doubling, jittered) back-off
 * @param requestTimeout how long one etcd request may take before it counts as failed
 * @param maxInFlight    transactions of one member on the wire at once (their keys disjoint)
 */
public record CacheWriterSettings(
    int maxBatchOps,
    int capacity,
    Duration putTimeout,
    Duration leaseTtl,
    int keysPerLease,
    Duration retryInitial,
    Duration retryMax,
    Duration requestTimeout,
    int maxInFlight) {

  /** etcd's default {@code --max-txn-ops}: a larger transaction is refused as a whole. */
  public static final int ETCD_MAX_TXN_OPS = 128;
  /** Cilium's {@code etcdMaxKeysPerLease}. */
  public static final int MAX_KEYS_PER_LEASE = 1000;
  /** Transactions one member's writer may have in flight; the default keeps etcd busy while the next is built. */
  public static final int DEFAULT_IN_FLIGHT = 3;
  static final int MAX_IN_FLIGHT = 16;
  /** Cilium's {@code KVstoreLeaseTTL}. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofMinutes(15);

  public CacheWriterSettings {
    Objects.requireNonNull(putTimeout, "putTimeout");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(retryInitial, "retryInitial");
    Objects.requireNonNull(retryMax, "retryMax");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (maxBatchOps < 1 || maxBatchOps > ETCD_MAX_TXN_OPS) {
      throw new IllegalArgumentException("maxBatchOps must be 1.." + ETCD_MAX_TXN_OPS + ", got " + maxBatchOps);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    if (keysPerLease < 1 || keysPerLease > MAX_KEYS_PER_LEASE) {
      throw new IllegalArgumentException("keysPerLease must be 1.." + MAX_KEYS_PER_LEASE + ", got " + keysPerLease);
    }
    // etcd's minimum lease TTL is 5 s (it raises shorter ones silently), and Cilium caps at a day.
    if (leaseTtl.toSeconds() < 5 || leaseTtl.toSeconds() > 86_400) {
      throw new IllegalArgumentException("leaseTtl must be 5 s..24 h, got " + leaseTtl);
    }
    if (retryInitial.isNegative() || retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0) {
      throw new IllegalArgumentException("need 0 < retryInitial <= retryMax, got " + retryInitial + " and " + retryMax);
    }
    if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT) {
      throw new IllegalArgumentException("maxInFlight must be 1.." + MAX_IN_FLIGHT + ", got " + maxInFlight);
    }
    if (putTimeout.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * Production values: 128-op transactions, 4096 waiting keys per member (a few MB at most),
   * puts block up to 30 s, 15-minute leases of up to 1000 keys, back-off 200 ms doubling to 10 s,
   * three transactions in flight.
   */
  public static CacheWriterSettings defaults() {
    return new CacheWriterSettings(ETCD_MAX_TXN_OPS, 4096, Duration.ofSeconds(30), DEFAULT_LEASE_TTL,
        MAX_KEYS_PER_LEASE, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(15), DEFAULT_IN_FLIGHT);
  }

  public CacheWriterSettings withMaxInFlight(int transactions) {
    return new CacheWriterSettings(maxBatchOps, capacity, putTimeout, leaseTtl, keysPerLease, retryInitial, retryMax,
        requestTimeout, transactions);
  }

  public CacheWriterSettings withCapacity(int newCapacity) {
    return new CacheWriterSettings(maxBatchOps, newCapacity, putTimeout, leaseTtl, keysPerLease, retryInitial,
        retryMax, requestTimeout, maxInFlight);
  }

  public CacheWriterSettings withPutTimeout(Duration timeout) {
    return new CacheWriterSettings(maxBatchOps, capacity, timeout, leaseTtl, keysPerLease, retryInitial, retryMax,
        requestTimeout, maxInFlight);
  }

  public CacheWriterSettings withLeaseTtl(Duration ttl) {
    return new CacheWriterSettings(maxBatchOps, capacity, putTimeout, ttl, keysPerLease, retryInitial, retryMax,
        requestTimeout, maxInFlight);
  }

  public CacheWriterSettings withRetry(Duration initial, Duration max) {
    return new CacheWriterSettings(maxBatchOps, capacity, putTimeout, leaseTtl, keysPerLease, initial, max,
        requestTimeout, maxInFlight);
  }

  public CacheWriterSettings withRequestTimeout(Duration timeout) {
    return new CacheWriterSettings(maxBatchOps, capacity, putTimeout, leaseTtl, keysPerLease, retryInitial, retryMax,
        timeout, maxInFlight);
  }
}
