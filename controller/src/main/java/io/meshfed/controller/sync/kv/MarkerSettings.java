package io.meshfed.controller.sync.kv;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the keys that tell agents a cluster (and the mesh) is alive: {@link Heartbeat} and the
 * cluster config of {@link SyncMarkers}.
 *
 * @param leaseTtl             TTL of the lease each of those keys is written with
 * @param heartbeatInterval    how often {@code cilium/.heartbeat} is rewritten; Cilium writes
 *                             every 60 s and agents reconnect after 2 × 60 s without a change, so
 *                             30 s leaves room for one missed write
 * @param clusterConfigRefresh how often {@code cilium/cluster-config/<c>} is put again even if
 *                             nothing changed (Cilium's {@code EnforceClusterConfig}: 5 min), so a
 *                             deleted key comes back
 * @param requestTimeout       how long one etcd request may take
 */
public record MarkerSettings(Duration leaseTtl, Duration heartbeatInterval, Duration clusterConfigRefresh,
    Duration requestTimeout) {

  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CLUSTER_CONFIG_REFRESH = Duration.ofMinutes(5);

  public MarkerSettings {
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(clusterConfigRefresh, "clusterConfigRefresh");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (leaseTtl.toSeconds() < 5) {
      throw new IllegalArgumentException("leaseTtl must be at least 5 s (etcd's minimum), got " + leaseTtl);
    }
    if (heartbeatInterval.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new IllegalArgumentException("heartbeatInterval must be at most 60 s (agents give up after 2 minutes), got "
          + heartbeatInterval);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || clusterConfigRefresh.isNegative()
        || clusterConfigRefresh.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("intervals and timeouts must be positive");
    }
  }

  /** 15-minute leases, heartbeat every 30 s, cluster config re-put every 5 minutes. */
  public static MarkerSettings defaults() {
    return new MarkerSettings(CacheWriterSettings.DEFAULT_LEASE_TTL, DEFAULT_HEARTBEAT_INTERVAL,
        DEFAULT_CLUSTER_CONFIG_REFRESH, Duration.ofSeconds(15));
  }

  public MarkerSettings withLeaseTtl(Duration ttl) {
    return new MarkerSettings(ttl, heartbeatInterval, clusterConfigRefresh, requestTimeout);
  }

  public MarkerSettings withHeartbeatInterval(Duration interval) {
    return new MarkerSettings(leaseTtl, interval, clusterConfigRefresh, requestTimeout);
  }

  public MarkerSettings withClusterConfigRefresh(Duration refresh) {
    return new MarkerSettings(leaseTtl, heartbeatInterval, refresh, requestTimeout);
  }
}
