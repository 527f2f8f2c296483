package io.meshfed.controller.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.DeleteOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.controller.sync.kv.CacheWriter;
import io.meshfed.controller.sync.kv.CacheWriterSettings;
import io.meshfed.controller.testing.ManualClock;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Lease-based leader election and fencing against a real etcd. */
class LeaderElectionTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private static final Duration TTL = Duration.ofSeconds(3);
  private static final Duration TICK = Duration.ofMillis(200);
  private static final ByteSequence KEY = bytes(LeaderElection.KEY);

  private final List<LeaderElection> started = new ArrayList<>();
  private Client root;

  /** Records what the election told the leader work, in order. */
  static final class Recorder implements LeaderElection.Listener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void elected(Fence.Token token) {
      events.add("elected " + token.revision());
    }

    @Override
    public void deposed(String reason) {
      events.add("deposed " + reason);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    root = ETCD.jetcdClient();
    root.getKVClient().delete(KEY, DeleteOption.DEFAULT).get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    started.forEach(LeaderElection::close);
  }

  private LeaderElection candidate(String id, Client client, Clock clock, Recorder recorder) {
    LeaderElection e = new LeaderElection(client, id, TTL, TICK, clock, recorder);
    started.add(e);
    return e.start();
  }

  private Optional<KeyValue> leaderKey() throws Exception {
    return root.getKVClient().get(KEY).get(10, TimeUnit.SECONDS).getKvs().stream().findFirst();
  }

  @Test
  @DisplayName("of two candidates exactly one wins; its token is the leader key's create revision")
  void oneOfTwoWins() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    LeaderElection a = candidate("a", ETCD.jetcdClient(), Clock.systemUTC(), ra);
    LeaderElection b = candidate("b", ETCD.jetcdClient(), Clock.systemUTC(), rb);

    // a campaigned first and start() waits for the campaign: a leads, b follows.
    assertThat(a.isLeader()).isTrue();
    assertThat(b.isLeader()).isFalse();
    KeyValue held = leaderKey().orElseThrow();
    assertThat(a.fence().current().orElseThrow().revision()).isEqualTo(held.getCreateRevision());
    assertThat(held.getValue().toString(StandardCharsets.UTF_8)).contains("\"instance\":\"a\"");
    assertThat(ra.events).containsExactly("elected " + held.getCreateRevision());
    assertThat(b.observedLeader().orElseThrow()).containsEntry("instance", "a").containsEntry("token", held.getCreateRevision());
    assertThat(b.liveInstances()).contains("a", "b");
    // b keeps polling and never takes the key while a holds it
    for (int i = 0; i < 5; i++) {
      b.tickNow();
    }
    assertThat(b.isLeader()).isFalse();
    assertThat(rb.events).isEmpty();
    assertThatThrownBy(() -> b.fence().compares()).isInstanceOf(LeadershipLostException.class);
  }

  @Test
  @DisplayName("a leader whose lease is revoked steps down at once; the follower takes over within the TTL")
  void followerTakesOverAfterRevocation() throws Exception {
    Recorder ra = new Recorder();
    LeaderElection a = candidate("a", ETCD.jetcdClient(), Clock.systemUTC(), ra);
    LeaderElection b = candidate("b", ETCD.jetcdClient(), Clock.systemUTC(), new Recorder());
    assertThat(a.isLeader()).isTrue();

    long lease = leaderKey().orElseThrow().getLease();
    root.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);

    await().atMost(TTL.plusSeconds(2)).until(b::isLeader);
    await().atMost(TTL).until(() -> !a.isLeader());
    assertThat(ra.events).hasSize(2);
    assertThat(ra.events.get(1)).startsWith("deposed ");
    assertThat(leaderKey().orElseThrow().getValue().toString(StandardCharsets.UTF_8)).contains("\"instance\":\"b\"");
  }

  @Test
  @DisplayName("a crashed leader (no revoke, no keep-alive) is replaced within TTL plus a tick")
  void crashedLeaderReplacedWithinTtl() throws Exception {
    Client aClient = ETCD.jetcdClient();
    LeaderElection a = new LeaderElection(aClient, "a", TTL, TICK, Clock.systemUTC(), new Recorder()).start();
    LeaderElection b = candidate("b", ETCD.jetcdClient(), Clock.systemUTC(), new Recorder());
    assertThat(a.isLeader()).isTrue();

    // The "crash": a's connection goes away without a word to etcd; the lease runs out by itself.
    aClient.close();
    await().atMost(TTL.plus(TICK).plusSeconds(2)).until(b::isLeader);
  }

  @Test
  @DisplayName("a deposed leader's fenced write is refused by etcd, and it steps down")
  void deposedLeadersFencedWriteIsRefused() throws Exception {
    Recorder ra = new Recorder();
    LeaderElection a = candidate("a", ETCD.jetcdClient(), Clock.systemUTC(), ra);
    assertThat(a.isLeader()).isTrue();
    long tokenA = a.fence().current().orElseThrow().revision();

    try (CacheWriter writer = CacheWriter.start(ETCD.jetcdClient(), ClusterName.parse("c1"), CacheWriterSettings.defaults(), a.fence())) {
      writer.put("cilium/cache/identities/v1/c1/id/1", "{}".getBytes(StandardCharsets.UTF_8));
      writer.flush().get(10, TimeUnit.SECONDS);
      assertThat(value("cilium/cache/identities/v1/c1/id/1")).isPresent();

      // "b" takes the key from under a (a's lease is still alive, so a has not noticed anything).
      root.getKVClient().delete(KEY).get(10, TimeUnit.SECONDS);
      root.getKVClient().put(KEY, bytes("{\"instance\":\"b\"}")).get(10, TimeUnit.SECONDS);
      assertThat(a.isLeader()).isTrue();

      writer.put("cilium/cache/identities/v1/c1/id/2", "{}".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> writer.flush().get(10, TimeUnit.SECONDS)).hasMessageContaining("closed");
      assertThat(value("cilium/cache/identities/v1/c1/id/2")).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLeader());
      assertThat(ra.events).containsExactly("elected " + tokenA,
          "deposed fenced write refused: cluster=c1 kv-batch: etcd refused the fenced batch (the leader key changed)");
    }
  }

  @Test
  @DisplayName("a leader that cannot confirm its lease before it would expire steps down (injected clock)")
  void unconfirmedLeaseStepsDown() throws Exception {
    ManualClock clock = new ManualClock();
    Recorder ra = new Recorder();
    // Ticks only when the test says so.
    LeaderElection a = new LeaderElection(ETCD.jetcdClient(), "a", TTL, Duration.ofHours(1), clock, ra);
    started.add(a.start());
    assertThat(a.isLeader()).isTrue();

    // Moving the clock on by the TTL is etcd being silent for that long. A keep-alive answer that
    // arrives between the move and the check counts from the moved clock, so move and check again.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      clock.advance(TTL);
      a.tickNow();
      return !a.isLeader();
    });

    assertThat(ra.events).hasSize(2);
    assertThat(ra.events.get(1)).startsWith("deposed lease not confirmed");
    assertThatThrownBy(() -> a.fence().compares()).isInstanceOf(LeadershipLostException.class);
    // It gave its lease up (the key is gone at once) and campaigns again with a new lease.
    a.tickNow();
    assertThat(a.isLeader()).isTrue();
  }

  private Optional<String> value(String key) throws Exception {
    return root.getKVClient().get(bytes(key)).get(10, TimeUnit.SECONDS).getKvs().stream().findFirst()
        .map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
