package io.meshfed.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.sync.convert.IpOwnership;
import io.meshfed.controller.sync.convert.MemberCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A watch that goes quiet without failing (events never delivered, the informer none the wiser) is
 * found by the audit, which compares the member's listing with the caches, and repaired by listing
 * again: the change reaches the cache keys, and the missed events are counted.
 */
@DisplayName("Sync audit: events a quiet watch never delivered are found and repaired")
class SyncAuditTest {
  static SimulatedClusters sims;
  static ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor();
  static ScheduledExecutorService auditor = Executors.newSingleThreadScheduledExecutor();

  /** The cache keys as a map, like etcd would hold them. */
  static final class MemorySink implements CacheSink {
    final Map<String, String> keys = new ConcurrentHashMap<>();
    final Set<CacheType> canaries = ConcurrentHashMap.newKeySet();

    @Override
    public void clusterConfig() {}

    @Override
    public void put(String key, byte[] value) {
      keys.put(key, new String(value, StandardCharsets.UTF_8));
    }

    @Override
    public void delete(String key) {
      keys.remove(key);
    }

    @Override
    public void flush() {}

    @Override
    public int sweep(CacheType type, Set<String> keep) {
      String prefix = "cilium/cache/" + type.name().toLowerCase(java.util.Locale.ROOT) + "/";
      int before = keys.size();
      keys.keySet().removeIf(k -> k.startsWith(prefix) && !keep.contains(k));
      return before - keys.size();
    }

    @Override
    public int revoke(CacheType type) {
      return 0;
    }

    @Override
    public void canary(CacheType type) {
      canaries.add(type);
    }
  }

  @BeforeAll
  static void start() {
    sims = SimulatedClusters.builder().cluster("c1", 1).identities(5).endpoints(5).nodes(2).services(1).start();
  }

  @AfterAll
  static void stop() {
    supervisor.shutdownNow();
    auditor.shutdownNow();
    if (sims != null) {
      sims.close();
    }
  }

  @Test
  @DisplayName("an identity changed while its events are lost is written after the audit; missedEvents counts it")
  void quietWatchRepaired() {
    MemorySink sink = new MemorySink();
    SyncStatus status = new SyncStatus("c1", Clock.systemUTC());
    MemberCluster member = MemberCluster.of("c1", 1, MaxConnectedClusters.of(255));
    try (KubernetesClient admin = MemberConnection.fromKubeconfig(sims.cluster("c1").kubeconfig(), null);
        SyncSession session = new SyncSession(member, () -> MemberConnection.fromKubeconfig(sims.cluster("c1").kubeconfig(), null), sink,
            new IpOwnership(), status, supervisor, ref -> {})
            .withAudit(Duration.ofSeconds(2), Duration.ofSeconds(1), auditor)) {
      session.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> sink.canaries.contains(CacheType.IDENTITIES) && status.synced(CacheType.IDENTITIES));
      GenericKubernetesResource identity = admin.genericKubernetesResources(SyncSession.IDENTITIES).list().getItems().get(0);
      String id = identity.getMetadata().getName();
      String key = "cilium/cache/identities/v1/c1/id/" + id;
      assertThat(sink.keys).containsKey(key);

      // The watch goes quiet: events of identities are dropped from now on.
      session.muteEvents(CacheType.IDENTITIES, true);
      @SuppressWarnings("unchecked")
      Map<String, Object> labels = (Map<String, Object>) identity.getAdditionalProperties().get("security-labels");
      labels.put("k8s:audit-test", "changed");
      admin.genericKubernetesResources(SyncSession.IDENTITIES).resource(identity).update();

      // The audit notices that the member's version differs from the cache twice in a row and lists again.
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(status.missedEvents(CacheType.IDENTITIES)).isPositive();
        assertThat(sink.keys.get(key)).contains("k8s:audit-test=changed;");
      });
      assertThat(status.view().get("lastAudit")).isNotNull();
    }
  }

  @Test
  @DisplayName("pure rules: a difference is a missed event only if it persists with the same listed version")
  void persistenceRule() {
    Map<String, String> listed = Map.of("a", "5", "b", "7", "c", "9");
    Map<String, String> cached = Map.of("a", "5", "b", "6", "d", "1");
    Map<String, String> first = SyncAudit.differences(listed, cached);
    assertThat(first).containsOnlyKeys("b", "c", "d");
    // b's event arrived in between (cache caught up); c moved on to a newer version (in flight); d is still there.
    Map<String, String> second = SyncAudit.differences(Map.of("a", "5", "b", "7", "c", "10"), Map.of("a", "5", "b", "7", "d", "1"));
    assertThat(SyncAudit.persistent(first, second)).containsExactly("d");
  }
}
