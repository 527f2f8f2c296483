package io.meshfed.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.controller.cli.ApiClientException;
import io.meshfed.controller.election.LeaderElection;
import io.meshfed.controller.runtime.Controller;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.FaultyLink;
import io.meshfed.controller.testing.MeshChecks;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue #8 point 1 for a leader that keeps running but loses etcd. Replica A leads and reaches
 * etcd through a {@link FaultyLink}; replica B reaches it directly; two members are joined. The
 * link stalls (bytes held both ways, as on a black-holed route) right before a member changes, so
 * A's cache write for that change is held in the link. A steps down on its own before its lease
 * can expire, B takes over and syncs. The member object is then deleted and B deletes its key.
 * When the link passes again, etcd gets everything A sent while cut off, that write included: the
 * fence refuses it, so the deleted key stays deleted, B keeps leading, and every member's keys
 * equal its objects.
 */
class LeaderPartitionTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static FaultyLink link;
  static SimulatedClusters sims;
  static MeshStore root;
  static MeshChecks checks;
  /** A: the leader, on the link. */
  static Controller partitioned;
  /** B: the follower, on etcd directly. */
  static Controller successor;
  /**
   * Long enough that A still leads when a member change reaches its write path after the stall:
   * it steps down a fifth of the TTL (at least 2 s) before its lease expires, and jetcd renewed
   * that lease at most a third of the TTL (plus its half-second send period) before the stall,
   * so A leads for about 2.8 s or more after it.
   */
  static final int LEASE_SECONDS = 8;
  static final Duration LEASE = Duration.ofSeconds(LEASE_SECONDS);
  static final Map<String, String> ENV = Map.of("MESHFED_LEADER_LEASE_SECONDS", String.valueOf(LEASE_SECONDS));
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int HELD = 4201;
  static final ListAppender<ILoggingEvent> elections = new ListAppender<>();

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    // TLS passes through the link untouched; etcd's certificate names loopback, not a port.
    link = FaultyLink.to(URI.create(etcd.endpoints().get(0)).getPort());
    Map<String, String> viaLink = new HashMap<>(ENV);
    viaLink.put("MESHFED_ETCD_ENDPOINTS", "https://127.0.0.1:" + link.port());
    // A starts alone and has won its campaign when it returns; B joins as a follower.
    sims = mesh.startWithMembers(etcd.endpoints(), viaLink, "c1", "c2");
    partitioned = mesh.controller();
    successor = mesh.startReplica(ENV);
    root = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
    checks = new MeshChecks(mesh, sims, root, WAIT);
    elections.start();
    ((Logger) LoggerFactory.getLogger(LeaderElection.class)).addAppender(elections);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(LeaderElection.class)).detachAppender(elections);
    // B first; A once the link passes again, since a replica closing through a stalled link waits
    // on its revoke.
    MeshHarness.closeAll(successor, link == null ? null : link::pass, mesh, link, root, sims);
  }

  @Test
  @DisplayName("a leader cut off from etcd steps down before its lease expires, the follower takes over and syncs; "
      + "the deposed leader's held write, delivered late, is refused and does not bring back a deleted key")
  void partitionedLeader() throws Exception {
    assertThat(partitioned.isLeader()).isTrue();
    assertThat(successor.isLeader()).isFalse();
    assertThat(checks.get(successor, "/api/v1/leader").path("leader").path("instance").asText()).isEqualTo(partitioned.instanceId());
    for (String c : List.of("c1", "c2")) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> checks.assertAllSynced(partitioned, c));
      checks.assertConformant(c);
    }

    link.stall();
    long stalledAt = System.nanoTime();
    JsonNode before = writerOfA("c1");
    String heldKey = checks.createIdentity("c1", HELD);
    // A still leads: its session sends the new key in a fenced transaction, which the link holds.
    // Seen in A's c1 writer: the put accepted, none waiting in its queue, no put answered since the stall.
    await("A sent the new key while it still led").atMost(LEASE).ignoreExceptions().untilAsserted(() -> {
      JsonNode writer = writerOfA("c1");
      assertThat(writer.path("putsSubmitted").asLong()).isGreaterThan(before.path("putsSubmitted").asLong());
      assertThat(writer.path("pending").asInt()).isZero();
      assertThat(writer.path("puts").asLong()).isEqualTo(before.path("puts").asLong());
    });

    // Unable to confirm its lease, A stops leading on its own; only then can B win. Its leader work
    // stops with it: no sync session left, so its sync view is a follower's 404.
    await().atMost(LEASE).until(() -> !partitioned.isLeader());
    await().atMost(LEASE).untilAsserted(() -> {
      ApiClientException noSession = catchThrowableOfType(() -> writerOfA("c1"), ApiClientException.class);
      assertThat(noSession).isNotNull();
      assertThat(noSession.status()).isEqualTo(404);
    });
    await().atMost(LEASE.plusSeconds(10)).ignoreExceptions()
        .until(() -> checks.get(successor, "/api/v1/leader").path("self").path("leader").asBoolean());
    assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).as("failover after the partition").isLessThan(LEASE.plusSeconds(5));
    JsonNode won = checks.get(successor, "/api/v1/leader");
    assertThat(won.path("leader").path("instance").asText()).isEqualTo(successor.instanceId());
    assertThat(stepDownOfA().getTimeStamp()).as("A stopped leading before B began")
        .isLessThan(Instant.parse(won.path("self").path("since").asText()).toEpochMilli());
    assertThat(partitioned.isLeader()).isFalse();

    // A keeps serving its API; what needs etcd is 503 StoreUnavailable, as on any etcd outage.
    ApiClientException leaderView = catchThrowableOfType(() -> checks.get(partitioned, "/api/v1/leader"), ApiClientException.class);
    assertThat(leaderView).isNotNull();
    assertThat(leaderView.status()).isEqualTo(503);
    assertThat(leaderView.code()).isEqualTo("StoreUnavailable");
    assertThat(leaderView.getMessage()).contains("etcd");

    // Nothing lost: B syncs the change made while A was cut off. Then the object goes, and so does its key.
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(heldKey)).isPresent());
    checks.deleteIdentity("c1", HELD);
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(heldKey)).isEmpty());
    for (String c : List.of("c1", "c2")) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> checks.assertAllSynced(successor, c));
    }

    link.pass();
    // A reads etcd again; its reads travel behind what the link held, so etcd has had A's late
    // writes (the held put of heldKey among them) by the time A answers.
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      JsonNode seen = checks.get(partitioned, "/api/v1/leader");
      assertThat(seen.path("leader")).isEqualTo(won.path("leader"));
      assertThat(seen.path("self").path("leader").asBoolean()).isFalse();
    });
    assertThat(root.get(heldKey)).as("A's held put, fenced with its old token, was refused").isEmpty();
    // B's term goes on (same token and since) and A is a follower.
    assertThat(checks.get(successor, "/api/v1/leader").path("self")).isEqualTo(won.path("self"));
    assertThat(checks.metrics(partitioned)).contains("meshfed_leader{instance=\"" + partitioned.instanceId() + "\"} 0.0");
    assertThat(checks.metrics(successor)).contains("meshfed_leader{instance=\"" + successor.instanceId() + "\"} 1.0");
    // No lost and no extra keys in either member.
    checks.assertConformant("c1");
    checks.assertConformant("c2");
  }

  /** The counters of A's write path for {@code cluster} (A must run its session). */
  static JsonNode writerOfA(String cluster) throws Exception {
    return checks.get(partitioned, "/api/v1/clusters/" + cluster + "/sync").path("writer");
  }

  /** A's step-down: it cannot confirm its lease, or jetcd ended the keep-alive, whichever it noticed first. */
  static ILoggingEvent stepDownOfA() {
    List<ILoggingEvent> events;
    synchronized (elections) {
      events = List.copyOf(elections.list);
    }
    return events.stream()
        .filter(e -> e.getFormattedMessage().contains("instance=" + partitioned.instanceId()))
        .filter(e -> e.getFormattedMessage().matches("op=leader\\.(stepdown .*reason=\"lease not confirmed|lost .*reason=\"keep-alive ended).*"))
        .findFirst().orElseThrow(() -> new AssertionError("A logged no step-down for its lease: " + events));
  }
}
