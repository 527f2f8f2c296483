package io.meshfed.controller.sync;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.api.kvstore.CiliumClusterConfig;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.sync.kv.CacheWriter;
import io.meshfed.controller.sync.kv.CacheWriterSettings;
import io.meshfed.controller.sync.kv.MarkerSettings;
import io.meshfed.controller.sync.kv.StaleSweeper;
import io.meshfed.controller.sync.kv.SyncMarkers;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The production {@link CacheSink}: the batched, leased etcd write path of {@code sync.kv} for one member. */
public final class EtcdCacheSink implements CacheSink, AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Client client;
  private final ClusterName cluster;
  private final CacheWriter writer;
  private final CiliumClusterConfig config;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private volatile SyncMarkers markers;

  /** @param fence every write of this member (data, canaries, sweeps, cluster config) is fenced by it */
  public EtcdCacheSink(Client client, ClusterName cluster, int clusterId, MaxConnectedClusters max, ScheduledExecutorService scheduler, Clock clock,
      Fence fence) {
    this.client = client;
    this.cluster = cluster;
    this.writer = CacheWriter.start(client, cluster, CacheWriterSettings.defaults(), fence);
    // serviceExportsEnabled stays absent: meshfed does not export MCS-API ServiceExports (spec 1.3).
    this.config = CiliumClusterConfig.forMeshfedCache(ClusterId.of(clusterId, max), CiliumClusterConfig.ServiceExports.NOT_SUPPORTED);
    this.scheduler = scheduler;
    this.clock = clock;
  }

  @Override
  public synchronized void clusterConfig() {
    if (markers == null) {
      markers = SyncMarkers.start(client, writer, config, MarkerSettings.defaults(), scheduler, clock);
    }
    await(markers.clusterConfigWritten());
  }

  @Override
  public Object writerStats() {
    return writer.stats();
  }

  @Override
  public void put(String key, byte[] value) {
    writer.put(key, value);
  }

  @Override
  public void delete(String key) {
    writer.delete(key);
  }

  @Override
  public void flush() {
    await(writer.flush());
  }

  @Override
  public int sweep(CacheType type, Set<String> keep) {
    return new StaleSweeper(client, writer, TIMEOUT).sweep(type, keep);
  }

  @Override
  public int revoke(CacheType type) {
    var get = client.getKVClient().get(io.etcd.jetcd.ByteSequence.from(type.prefix(cluster), java.nio.charset.StandardCharsets.UTF_8),
        io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withKeysOnly(true).build());
    java.util.List<io.etcd.jetcd.KeyValue> kvs;
    try {
      kvs = get.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getKvs();
    } catch (Exception e) {
      throw new IllegalStateException("etcd read did not complete: " + e.getMessage(), e);
    }
    for (io.etcd.jetcd.KeyValue kv : kvs) {
      writer.delete(kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8));
    }
    flush();
    return kvs.size();
  }

  @Override
  public void canary(CacheType type) {
    await(markers.markSynced(type));
  }

  @Override
  public synchronized void close() {
    if (markers != null) {
      markers.close();
    }
    writer.close();
  }

  private static void await(java.util.concurrent.CompletableFuture<?> f) {
    try {
      f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("etcd write did not complete: " + e.getMessage(), e);
    }
  }
}
