package io.meshfed.controller.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.store.PolicyEventRecord;
import io.meshfed.controller.policy.store.PolicyState;
import io.meshfed.controller.policy.store.PolicyStatusRecord;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.sync.kv.ClusterDataRemover;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #8 point 1 for the writers that are not sync: the delayed removal of a left member's data
 * and the policy rollout's statuses and events. While this replica leads they land; once another
 * replica holds the leader key (this one has not noticed yet) etcd refuses them, nothing changes,
 * and the replica steps down; a replica without a token sends nothing.
 */
class FencedWritersTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private static final Duration TTL = Duration.ofSeconds(3);
  private static final Duration TICK = Duration.ofMillis(200);
  private static final Instant T0 = Instant.parse("2026-11-27T00:00:00Z");

  private final List<LeaderElection> started = new ArrayList<>();
  private Client root;

  @BeforeEach
  void setUp() throws Exception {
    root = ETCD.jetcdClient();
    for (String prefix : List.of("cilium/", "meshfed/")) {
      root.getKVClient().delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void tearDown() {
    started.forEach(LeaderElection::close);
  }

  private LeaderElection leader(String id, LeaderElectionTest.Recorder recorder) {
    LeaderElection e = new LeaderElection(ETCD.jetcdClient(), id, TTL, TICK, Clock.systemUTC(), recorder);
    started.add(e);
    e.start();
    assertThat(e.isLeader()).isTrue();
    return e;
  }

  /** Another replica takes the leader key from under the current leader, whose lease is still alive. */
  private void usurp() throws Exception {
    root.getKVClient().delete(bytes(LeaderElection.KEY)).get(10, TimeUnit.SECONDS);
    root.getKVClient().put(bytes(LeaderElection.KEY), bytes("{\"instance\":\"b\"}")).get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a member's data removal lands while leading; deposed during the grace period, its data step is refused and the data stays")
  void dataRemovalIsFenced() throws Exception {
    LeaderElectionTest.Recorder recorder = new LeaderElectionTest.Recorder();
    LeaderElection a = leader("a", recorder);
    ClusterName c1 = ClusterName.parse("c1");
    ClusterName c2 = ClusterName.parse("c2");
    populate(c1);
    populate(c2);

    ClusterDataRemover quick = new ClusterDataRemover(ETCD.jetcdClient(), Duration.ZERO, Duration.ofSeconds(10), a.fence(), MeshKeys.CLUSTERS);
    assertThat(quick.remove(c1).get(30, TimeUnit.SECONDS).dataKeysDeleted()).isEqualTo(CacheType.values().length * 2L);
    assertThat(keys("cilium/")).noneMatch(k -> k.contains("/c1/") || k.endsWith("/c1"));

    // The grace period gives the test time to move leadership between the two steps.
    ClusterDataRemover slow = new ClusterDataRemover(ETCD.jetcdClient(), Duration.ofSeconds(5), Duration.ofSeconds(10), a.fence(), MeshKeys.CLUSTERS);
    CompletableFuture<ClusterDataRemover.Removal> removal = slow.remove(c2);
    await().atMost(Duration.ofSeconds(10)).until(() -> !keys("cilium/cluster-config/").contains(CacheKeys.clusterConfig(c2)));
    usurp();

    assertThatThrownBy(() -> removal.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(LeadershipLostException.class);
    assertThat(keys("cilium/")).filteredOn(k -> k.contains("/c2/")).hasSize(CacheType.values().length * 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLeader());
    assertThat(recorder.events.get(recorder.events.size() - 1)).startsWith("deposed fenced write refused: cluster=c2 remove-data data");
  }

  @Test
  @DisplayName("a replica that does not lead sends no removal at all: the cluster config stays")
  void followerRemovesNothing() throws Exception {
    LeaderElectionTest.Recorder recorder = new LeaderElectionTest.Recorder();
    leader("a", recorder);
    LeaderElection b = new LeaderElection(ETCD.jetcdClient(), "b", TTL, TICK, Clock.systemUTC(), new LeaderElectionTest.Recorder());
    started.add(b);
    b.start();
    assertThat(b.isLeader()).isFalse();
    ClusterName c1 = ClusterName.parse("c1");
    populate(c1);

    CompletableFuture<ClusterDataRemover.Removal> removal =
        new ClusterDataRemover(ETCD.jetcdClient(), Duration.ZERO, Duration.ofSeconds(10), b.fence(), MeshKeys.CLUSTERS).remove(c1);

    assertThatThrownBy(() -> removal.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(LeadershipLostException.class);
    assertThat(keys("cilium/cluster-config/")).containsExactly(CacheKeys.clusterConfig(c1));
  }

  @Test
  @DisplayName("policy statuses and events land while leading; after the leader key moved both are refused, nothing is written, and the replica steps down")
  void policyStatusesAndEventsAreFenced() throws Exception {
    LeaderElectionTest.Recorder recorder = new LeaderElectionTest.Recorder();
    LeaderElection a = leader("a", recorder);
    PolicyStore store = new PolicyStore(ETCD.jetcdClient()).fencedBy(a.fence());

    store.writeStatuses("c1", List.of(status("p-1")), List.of());
    store.recordEvent(event("p-1"));
    assertThat(store.statuses("c1")).extracting(PolicyStatusRecord::policy).containsExactly("cnp/default/p-1");
    assertThat(store.events(PolicyKey.parseId("cnp/default/p-1"))).hasSize(1);

    usurp();
    assertThatThrownBy(() -> store.writeStatuses("c1", List.of(status("p-2")), List.of("cnp/default/p-1")))
        .isInstanceOf(LeadershipLostException.class);
    assertThatThrownBy(() -> store.recordEvent(event("p-1"))).isInstanceOf(LeadershipLostException.class);

    assertThat(store.statuses("c1")).extracting(PolicyStatusRecord::policy).containsExactly("cnp/default/p-1");
    assertThat(store.events(PolicyKey.parseId("cnp/default/p-1"))).hasSize(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLeader());
    assertThat(recorder.events.get(1)).startsWith("deposed fenced write refused: policy store meshfed/policy-status/c1/");
    // Stepped down, it refuses locally: not even a transaction is sent.
    assertThatThrownBy(() -> store.writeStatuses("c1", List.of(status("p-3")), List.of()))
        .isInstanceOf(LeadershipLostException.class).hasMessageContaining("no fencing token");
  }

  private static PolicyStatusRecord status(String name) {
    return new PolicyStatusRecord("c1", "cnp/default/" + name, PolicyState.IN_SYNC, null, 1, 1, "sha256:x", false, T0, T0, 0);
  }

  private static PolicyEventRecord event(String name) {
    return new PolicyEventRecord(T0, "c1", "cnp/default/" + name, "modified", List.of("spec"), List.of("kubectl-edit"), "restored", 1);
  }

  /** A cluster config, a canary and a data key of every kind. */
  private void populate(ClusterName cluster) throws Exception {
    put(CacheKeys.clusterConfig(cluster), "{\"id\":1}");
    for (CacheType type : CacheType.values()) {
      put(type.syncedCanaryKey(cluster), "2026-01-01T00:00:00Z");
      put(type.prefix(cluster) + "key", "v");
    }
  }

  private void put(String key, String value) throws Exception {
    root.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
  }

  private List<String> keys(String prefix) throws Exception {
    return root.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).withKeysOnly(true).build())
        .get(10, TimeUnit.SECONDS).getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
