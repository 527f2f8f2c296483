package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.Client;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.api.kvstore.CiliumClusterConfig;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys that tell agents how far one member's data is (spec 1.1, 1.3, 1.5):
 *
 * <ul>
 *   <li>{@code cilium/cluster-config/<c>}: the {@link CiliumClusterConfig} JSON from the api codec
 *       ({@code id}, {@code syncedCanaries: true}, {@code cached: true},
 *       {@code maxConnectedClusters}), under its own lease and put again every 5 minutes, so it
 *       comes back if someone deletes it. Agents read nothing of a cluster without it, so a session
 *       waits for {@link #clusterConfigWritten()} before writing data.</li>
 *   <li>{@code cilium/synced/<c>/cilium/cache/<type>/v1}: an RFC 3339 timestamp written by
 *       {@link #markSynced} once that type's initial list is entirely in etcd. It goes through the
 *       member's {@link CacheWriter}, so it rides on the writer's leases and is re-written with
 *       them if a lease is lost.</li>
 * </ul>
 */
public final class SyncMarkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncMarkers.class);

  private final CacheWriter writer;
  private final Clock clock;
  private final LeasedKey clusterConfig;

  private SyncMarkers(CacheWriter writer, Clock clock, LeasedKey clusterConfig) {
    this.writer = writer;
    this.clock = clock;
    this.clusterConfig = clusterConfig;
  }

  /** Starts writing {@code config} for the writer's cluster, now and every {@code clusterConfigRefresh}. */
  public static SyncMarkers start(Client client, CacheWriter writer, CiliumClusterConfig config,
      MarkerSettings settings, ScheduledExecutorService scheduler, Clock clock) {
    Objects.requireNonNull(config, "config");
    byte[] json = config.toJson();
    String cluster = writer.cluster().value();
    LeasedKey key = new LeasedKey(client, CacheKeys.clusterConfig(writer.cluster()), () -> json,
        settings.leaseTtl(), settings.clusterConfigRefresh(), settings.requestTimeout(), scheduler, cluster,
        "cluster-config", writer.fence());
    SyncMarkers markers = new SyncMarkers(writer, clock, key);
    key.start();
    return markers;
  }

  /** Completes once the cluster config is in etcd: only then may the cluster's data follow. */
  public CompletableFuture<Void> clusterConfigWritten() {
    return clusterConfig.firstWrite();
  }

  /**
   * Writes the canary of {@code type} after everything submitted to the writer so far (the
   * initial list) is in etcd, and after the cluster config. Call it once the informer's initial
   * list has been handed to the writer; the future completes when the canary itself is in etcd.
   */
  public CompletableFuture<Void> markSynced(CacheType type) {
    String canary = type.syncedCanaryKey(writer.cluster());
    return clusterConfigWritten()
        .thenCompose(v -> writer.flush())
        .thenCompose(v -> {
          String now = KvstoreTimestamps.format(clock.instant());
          writer.putMarker(canary, now.getBytes(StandardCharsets.US_ASCII));
          return writer.flush();
        })
        .whenComplete((v, e) -> {
          if (e == null) {
            LOG.info("cluster={} op=canary type={} key={} result=ok", writer.cluster(), type.segment(), canary);
          } else {
            LOG.warn("cluster={} op=canary type={} key={} result=error error=\"{}\"", writer.cluster(),
                type.segment(), canary, EtcdCalls.unwrap(e).getMessage());
          }
        });
  }

  /** The lease of the cluster config now (0 before the first grant). */
  public long clusterConfigLeaseId() {
    return clusterConfig.leaseId();
  }

  /** Stops re-enforcing the cluster config (it stays until its lease expires). */
  @Override
  public void close() {
    clusterConfig.close();
  }
}
