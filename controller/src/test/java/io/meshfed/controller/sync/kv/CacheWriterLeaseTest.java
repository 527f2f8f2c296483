package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leases of {@link CacheWriter}: 1000 keys per lease, keep-alive, re-write after a lost lease. */
class CacheWriterLeaseTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  /** etcd's minimum TTL: keep-alives every ~1.7 s, so a loss is noticed within seconds. */
  private static final CacheWriterSettings SHORT_LEASES = CacheWriterSettings.defaults().withLeaseTtl(Duration.ofSeconds(5));

  private Client client;
  private EtcdProbe etcd;

  @BeforeEach
  void connect() {
    client = ETCD.jetcdClient();
    etcd = new EtcdProbe(client);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Map<Long, Long> keysPerLease(String prefix) {
    return etcd.entries(prefix).stream()
        .collect(Collectors.groupingBy(KeyValue::getLease, TreeMap::new, Collectors.counting()));
  }

  @Test
  @DisplayName("2,500 keys are spread over 3 leases of at most 1000 keys, each with the configured TTL")
  void atMostThousandKeysPerLease() throws Exception {
    ClusterName cluster = new ClusterName("leases");
    try (CacheWriter writer = CacheWriter.start(client, cluster, SHORT_LEASES)) {
      for (int i = 0; i < 2500; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), utf8("v"));
      }
      writer.flush().get(30, TimeUnit.SECONDS);

      Map<Long, Long> perLease = keysPerLease(CacheType.NODES.prefix(cluster));
      assertThat(perLease).hasSize(3).doesNotContainKey(0L);
      assertThat(perLease.values()).containsExactlyInAnyOrder(1000L, 1000L, 500L);
      assertThat(writer.stats().leasesGranted()).isEqualTo(3);
      for (long lease : perLease.keySet()) {
        assertThat(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS)
            .getGrantedTTL()).isEqualTo(5);
      }
    }
  }

  @Test
  @DisplayName("keep-alive holds a 5 s lease well past its TTL")
  void keepAliveHoldsTheLease() throws Exception {
    ClusterName cluster = new ClusterName("kept");
    String key = CacheKeys.node(cluster, "node-a");
    try (CacheWriter writer = CacheWriter.start(client, cluster, SHORT_LEASES)) {
      writer.put(key, utf8("v"));
      writer.flush().get(10, TimeUnit.SECONDS);
      long lease = etcd.lease(key);

      // 12 s is more than two TTLs: without keep-alive the key would be gone
      await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(15)).until(() -> etcd.lease(key) == lease);
      assertThat(writer.stats().leasesLost()).isZero();
    }
  }

  @Test
  @DisplayName("a revoked lease: its keys vanish, the writer notices, grants a new lease and writes them all again")
  void lostLeaseKeysAreRewritten() throws Exception {
    ClusterName cluster = new ClusterName("lost");
    String prefix = CacheType.NODES.prefix(cluster);
    try (CacheWriter writer = CacheWriter.start(client, cluster, SHORT_LEASES)) {
      for (int i = 0; i < 50; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), utf8("v" + i));
      }
      writer.flush().get(10, TimeUnit.SECONDS);
      long lost = etcd.lease(CacheKeys.node(cluster, "node-0"));

      try (EtcdProbe.Recorder recorder = etcd.record(prefix)) {
        etcd.revoke(lost);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          Map<Long, Long> perLease = keysPerLease(prefix);
          assertThat(perLease).hasSize(1).doesNotContainKey(lost).containsValue(50L);
        });
        List<EtcdProbe.Event> events = recorder.events;
        assertThat(events.stream().filter(EtcdProbe.Event::isDelete).count()).isEqualTo(50);
        assertThat(events.stream().filter(e -> !e.isDelete()).count()).isEqualTo(50);
      }
      for (int i = 0; i < 50; i++) {
        assertThat(etcd.value(CacheKeys.node(cluster, "node-" + i))).contains("v" + i);
      }
      assertThat(writer.stats().leasesLost()).isEqualTo(1);
      assertThat(writer.stats().keysRewritten()).isEqualTo(50);
    }
  }

  @Test
  @DisplayName("a write naming a lease that was just revoked is retried on a new lease, and the old keys come back")
  void writeOnRevokedLeaseRecovers() throws Exception {
    ClusterName cluster = new ClusterName("lost-write");
    // long TTL: the keep-alive is unlikely to notice first, so the failing write is the usual path
    try (CacheWriter writer = CacheWriter.start(client, cluster,
        CacheWriterSettings.defaults().withLeaseTtl(Duration.ofSeconds(60)))) {
      writer.put(CacheKeys.node(cluster, "old"), utf8("o"));
      writer.flush().get(10, TimeUnit.SECONDS);
      long lost = etcd.lease(CacheKeys.node(cluster, "old"));

      etcd.revoke(lost);
      writer.put(CacheKeys.node(cluster, "new"), utf8("n"));
      writer.flush().get(20, TimeUnit.SECONDS);

      assertThat(etcd.value(CacheKeys.node(cluster, "new"))).contains("n");
      assertThat(etcd.lease(CacheKeys.node(cluster, "new"))).isNotIn(lost, 0L, -1L);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(etcd.value(CacheKeys.node(cluster, "old"))).contains("o");
        assertThat(etcd.lease(CacheKeys.node(cluster, "old"))).isNotIn(lost, 0L, -1L);
      });
    }
  }

  @Test
  @DisplayName("deleted keys free their place on a lease; an emptied old lease is revoked")
  void deletesReleaseLeaseSlots() throws Exception {
    ClusterName cluster = new ClusterName("release");
    String prefix = CacheType.NODES.prefix(cluster);
    try (CacheWriter writer = CacheWriter.start(client, cluster, SHORT_LEASES)) {
      for (int i = 0; i < 1200; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), utf8("v"));
      }
      writer.flush().get(30, TimeUnit.SECONDS);
      long first = etcd.lease(CacheKeys.node(cluster, "node-0"));
      assertThat(keysPerLease(prefix)).containsEntry(first, 1000L).hasSize(2);

      for (int i = 0; i < 1000; i++) {
        writer.delete(CacheKeys.node(cluster, "node-" + i));
      }
      writer.flush().get(30, TimeUnit.SECONDS);

      assertThat(keysPerLease(prefix)).hasSize(1).doesNotContainKey(first).containsValue(200L);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.getLeaseClient()
          .timeToLive(first, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS).getTTL() == -1);
      assertThat(writer.stats().leasesLost()).isZero();
    }
  }
}
