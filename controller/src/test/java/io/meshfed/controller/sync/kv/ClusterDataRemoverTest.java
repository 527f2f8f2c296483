package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.sync.kv.ClusterDataRemover.Removal;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Removing a member's keys on leave or cacheTTL revocation. */
class ClusterDataRemoverTest {
  @RegisterExtension
  final EtcdExtension etcdServer = EtcdExtension.singleNode();

  private static final ClusterName C1 = new ClusterName("c1");
  private static final ClusterName C10 = new ClusterName("c10");
  private static final Duration GRACE = Duration.ofMillis(600);
  private static final String MEMBERS = "meshfed/clusters/";

  private Client client;
  private EtcdProbe etcd;

  @BeforeEach
  void connect() {
    client = etcdServer.jetcdClient();
    etcd = new EtcdProbe(client);
  }

  /** Config, canaries and three keys of every kind: 1 + 5 + 15 keys. */
  private void populate(ClusterName cluster) {
    etcd.put(CacheKeys.clusterConfig(cluster), "{\"id\":1}");
    for (CacheType type : CacheType.values()) {
      etcd.put(type.syncedCanaryKey(cluster), "2026-01-01T00:00:00Z");
      for (int i = 0; i < 3; i++) {
        etcd.put(type.prefix(cluster) + "key-" + i, "v");
      }
    }
  }

  private int keysOf(ClusterName cluster) {
    int n = etcd.get(CacheKeys.clusterConfig(cluster)).isPresent() ? 1 : 0;
    for (String prefix : CacheKeys.clusterDataPrefixes(cluster)) {
      n += etcd.list(prefix).size();
    }
    return n;
  }

  @Test
  @DisplayName("the cluster config is deleted first, the canaries and data after the grace period; c10 is untouched")
  void clusterConfigGoesFirst() throws Exception {
    populate(C1);
    populate(C10);
    assertThat(keysOf(C1)).isEqualTo(21);

    try (EtcdProbe.Recorder recorder = etcd.record("cilium/")) {
      Removal removal = new ClusterDataRemover(client, GRACE, Duration.ofSeconds(10)).remove(C1)
          .get(30, TimeUnit.SECONDS);

      assertThat(removal).isEqualTo(new Removal(C1, 1, 20));
      await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 21);
      List<EtcdProbe.Event> events = recorder.events;
      assertThat(events).allMatch(EtcdProbe.Event::isDelete);
      EtcdProbe.Event config = events.get(0);
      assertThat(config.key()).isEqualTo(CacheKeys.clusterConfig(C1));
      List<EtcdProbe.Event> data = events.subList(1, events.size());
      assertThat(data).allSatisfy(e -> {
        assertThat(e.key()).doesNotStartWith("cilium/cluster-config/");
        assertThat(e.revision()).isGreaterThan(config.revision());
        assertThat(Duration.ofNanos(e.receivedNanos() - config.receivedNanos()))
            .isGreaterThanOrEqualTo(GRACE.dividedBy(2));
      });
      assertThat(data).extracting(EtcdProbe.Event::key).allMatch(k -> k.contains("/c1/"));
    }
    assertThat(keysOf(C1)).isZero();
    assertThat(keysOf(C10)).isEqualTo(21);
  }

  @Test
  @DisplayName("removing a cluster that has nothing left is a no-op that still succeeds")
  void removingNothingSucceeds() throws Exception {
    populate(C10);

    Removal removal = new ClusterDataRemover(client, Duration.ZERO, Duration.ofSeconds(10)).remove(C1)
        .get(30, TimeUnit.SECONDS);

    assertThat(removal).isEqualTo(new Removal(C1, 0, 0));
    assertThat(keysOf(C10)).isEqualTo(21);
  }

  @Test
  @DisplayName("a cluster that joined again within the grace period (record and config back) keeps its data")
  void rejoinWithinGraceKeepsData() throws Exception {
    populate(C1);
    ClusterDataRemover remover = new ClusterDataRemover(client, GRACE.multipliedBy(5), Duration.ofSeconds(10),
        io.meshfed.controller.election.Fence.unfenced(), MEMBERS);
    java.util.concurrent.CompletableFuture<Removal> removal = remover.remove(C1);
    await().atMost(Duration.ofSeconds(10)).until(() -> etcd.get(CacheKeys.clusterConfig(C1)).isEmpty());

    // The new incarnation's record, then its session's cluster config (written before any data).
    etcd.put(MEMBERS + "c1", "{}");
    etcd.put(CacheKeys.clusterConfig(C1), "{\"id\":1}");

    assertThat(removal.get(30, TimeUnit.SECONDS)).isEqualTo(new Removal(C1, 1, 0, true));
    assertThat(keysOf(C1)).isEqualTo(21);
  }

  @Test
  @DisplayName("a cluster that is a member again before the removal starts keeps its cluster config and data")
  void memberRecordPresentKeepsEverything() throws Exception {
    populate(C1);
    etcd.put(MEMBERS + "c1", "{}");

    Removal removal = new ClusterDataRemover(client, Duration.ZERO, Duration.ofSeconds(10),
        io.meshfed.controller.election.Fence.unfenced(), MEMBERS).remove(C1).get(30, TimeUnit.SECONDS);

    assertThat(removal).isEqualTo(new Removal(C1, 0, 0, true));
    assertThat(keysOf(C1)).isEqualTo(21);
  }

  @Test
  @DisplayName("asking again while a removal is under way joins it instead of starting a second one")
  void secondRequestJoinsTheFirst() throws Exception {
    populate(C1);
    ClusterDataRemover remover = new ClusterDataRemover(client, GRACE, Duration.ofSeconds(10));

    java.util.concurrent.CompletableFuture<Removal> first = remover.remove(C1);
    java.util.concurrent.CompletableFuture<Removal> second = remover.remove(C1);

    assertThat(second).isSameAs(first);
    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(new Removal(C1, 1, 20));
    assertThat(keysOf(C1)).isZero();
    // Done, a later request starts afresh (and finds nothing).
    assertThat(remover.remove(C1).get(30, TimeUnit.SECONDS)).isEqualTo(new Removal(C1, 0, 0));
  }
}
