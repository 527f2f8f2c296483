package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.api.kvstore.CiliumClusterConfig;
import io.meshfed.api.kvstore.CiliumClusterConfig.ServiceExports;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cluster config and sync canaries ({@link SyncMarkers}). */
class SyncMarkersTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private static final MarkerSettings FAST = MarkerSettings.defaults()
      .withLeaseTtl(Duration.ofSeconds(5))
      .withClusterConfigRefresh(Duration.ofSeconds(1));

  private Client client;
  private EtcdProbe etcd;
  private ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() {
    client = ETCD.jetcdClient();
    etcd = new EtcdProbe(client);
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  private static CiliumClusterConfig config(int id) {
    return CiliumClusterConfig.forMeshfedCache(ClusterId.of(id, MaxConnectedClusters.MAX_255),
        ServiceExports.NOT_SUPPORTED);
  }

  @Test
  @DisplayName("cilium/cluster-config/<c> holds exactly the api codec's JSON, under a lease")
  void clusterConfigIsTheCodecOutput() throws Exception {
    ClusterName cluster = new ClusterName("cfg");
    CiliumClusterConfig config = config(7);
    try (CacheWriter writer = CacheWriter.start(client, cluster, CacheWriterSettings.defaults());
        SyncMarkers markers = SyncMarkers.start(client, writer, config, FAST, scheduler, Clock.systemUTC())) {
      markers.clusterConfigWritten().get(10, TimeUnit.SECONDS);

      KeyValue stored = etcd.get(CacheKeys.clusterConfig(cluster)).orElseThrow();
      assertThat(stored.getValue().getBytes()).isEqualTo(config.toJson());
      assertThat(stored.getValue().toString(StandardCharsets.UTF_8))
          .isEqualTo("{\"id\":7,\"capabilities\":{\"syncedCanaries\":true,\"cached\":true,\"maxConnectedClusters\":255}}");
      assertThat(stored.getLease()).isNotZero().isEqualTo(markers.clusterConfigLeaseId());
      ReadResult<CiliumClusterConfig> read = CiliumClusterConfig.fromJson(stored.getValue().getBytes());
      assertThat(read).isEqualTo(ReadResult.accepted(config));
    }
  }

  @Test
  @DisplayName("the cluster config is put again on every refresh, so a deleted one comes back")
  void clusterConfigIsReEnforced() throws Exception {
    ClusterName cluster = new ClusterName("cfg-enforce");
    try (CacheWriter writer = CacheWriter.start(client, cluster, CacheWriterSettings.defaults());
        SyncMarkers markers = SyncMarkers.start(client, writer, config(8), FAST, scheduler, Clock.systemUTC())) {
      markers.clusterConfigWritten().get(10, TimeUnit.SECONDS);

      client.getKVClient().delete(EtcdProbe.bytes(CacheKeys.clusterConfig(cluster))).get(10, TimeUnit.SECONDS);

      await().atMost(Duration.ofSeconds(10)).until(() -> etcd.get(CacheKeys.clusterConfig(cluster)).isPresent());
      assertThat(etcd.get(CacheKeys.clusterConfig(cluster)).orElseThrow().getValue().getBytes())
          .isEqualTo(config(8).toJson());
    }
  }

  @Test
  @DisplayName("a lost cluster-config lease is replaced and the key written again at once")
  void clusterConfigSurvivesLeaseLoss() throws Exception {
    ClusterName cluster = new ClusterName("cfg-lease");
    MarkerSettings slowRefresh = FAST.withClusterConfigRefresh(Duration.ofMinutes(5));
    try (CacheWriter writer = CacheWriter.start(client, cluster, CacheWriterSettings.defaults());
        SyncMarkers markers = SyncMarkers.start(client, writer, config(9), slowRefresh, scheduler, Clock.systemUTC())) {
      markers.clusterConfigWritten().get(10, TimeUnit.SECONDS);
      long lost = etcd.lease(CacheKeys.clusterConfig(cluster));

      etcd.revoke(lost);

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(etcd.lease(CacheKeys.clusterConfig(cluster))).isNotIn(lost, -1L, 0L));
    }
  }

  @Test
  @DisplayName("a canary is written only after the type's initial list is in etcd, as an RFC 3339 timestamp")
  void canaryOnlyAfterFlush() throws Exception {
    ClusterName cluster = new ClusterName("canary");
    String canary = CacheKeys.syncedCanary(cluster, CacheType.NODES);
    try (CacheWriter writer = CacheWriter.start(client, cluster, CacheWriterSettings.defaults());
        SyncMarkers markers = SyncMarkers.start(client, writer, config(10), FAST, scheduler, Clock.systemUTC())) {
      markers.clusterConfigWritten().get(10, TimeUnit.SECONDS);
      writer.pause();
      for (int i = 0; i < 300; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      Instant before = Instant.now().minusSeconds(1);

      CompletableFuture<Void> synced = markers.markSynced(CacheType.NODES);

      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> !synced.isDone() && etcd.get(canary).isEmpty());

      writer.resume();
      synced.get(10, TimeUnit.SECONDS);

      KeyValue stored = etcd.get(canary).orElseThrow();
      long lastData = etcd.entries(CacheType.NODES.prefix(cluster)).stream()
          .mapToLong(KeyValue::getModRevision).max().orElseThrow();
      assertThat(etcd.entries(CacheType.NODES.prefix(cluster))).hasSize(300);
      assertThat(stored.getCreateRevision()).isGreaterThan(lastData);
      assertThat(stored.getLease()).isNotZero();
      String value = stored.getValue().toString(StandardCharsets.UTF_8);
      assertThat(value).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      ReadResult<Instant> parsed = KvstoreTimestamps.parse(value);
      assertThat(parsed.isAccepted()).isTrue();
      assertThat(parsed.value()).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.SECONDS));
      assertThat(etcd.get(CacheKeys.syncedCanary(cluster, CacheType.SERVICES))).isEmpty();
    }
  }
}
