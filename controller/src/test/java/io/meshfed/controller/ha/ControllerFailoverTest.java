package io.meshfed.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.ApiClientException;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.runtime.Controller;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.MeshChecks;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8 point 1: two controller replicas against one etcd with two joined members. Only the
 * leader syncs; both serve the API; when the leader goes, the other takes over within the lease
 * TTL and syncs, with nothing lost or duplicated in the cache.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerFailoverTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static MeshStore root;
  static Controller follower;
  static MeshChecks checks;
  static final int LEASE_SECONDS = 4;
  // Policy resync once an hour: a policy applied on the follower can reach members only through
  // the leader's poll of the policies' revisions.
  static final Map<String, String> ENV = Map.of("MESHFED_LEADER_LEASE_SECONDS", String.valueOf(LEASE_SECONDS),
      "MESHFED_POLICY_RESYNC_SECONDS", "3600");
  static final Duration POLL_WAIT = Duration.ofSeconds(20);
  static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumnetworkpolicies").withKind("CiliumNetworkPolicy").withNamespaced(true).build();
  static final Duration WAIT = Duration.ofSeconds(120);

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    sims = mesh.startWithMembers(etcd.endpoints(), ENV, "c1", "c2");
    follower = mesh.startReplica(ENV);
    root = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
    checks = new MeshChecks(mesh, sims, root, WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    MeshHarness.closeAll(follower, root, sims, mesh);
  }

  @Test
  @Order(1)
  @DisplayName("only the leader syncs, both replicas serve the API; the leader closed, the follower leads within the TTL and syncs with nothing lost or duplicated")
  void failover() throws Exception {
    Controller leader = mesh.controller();
    JsonNode seen = checks.get(follower, "/api/v1/leader");
    assertThat(seen.path("leader").path("instance").asText()).isEqualTo(leader.instanceId());
    assertThat(seen.path("self").path("leader").asBoolean()).isFalse();
    assertThat(checks.get(leader, "/api/v1/leader").path("self").path("leader").asBoolean()).isTrue();
    assertThat(checks.metrics(follower)).contains("meshfed_leader{instance=\"" + follower.instanceId() + "\"} 0.0");
    assertThat(checks.metrics(leader)).contains("meshfed_leader{instance=\"" + leader.instanceId() + "\"} 1.0");

    for (String c : List.of("c1", "c2")) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> checks.assertAllSynced(leader, c));
      // The follower runs no session for it: its sync view is a 404.
      mesh.useControllerAt(follower.port());
      try (ApiClient api = mesh.api()) {
        ApiClientException none = catchThrowableOfType(() -> api.get("/api/v1/clusters/" + c + "/sync"), ApiClientException.class);
        assertThat(none).isNotNull();
        assertThat(none.status()).isEqualTo(404);
      }
    }
    for (Controller c : List.of(leader, follower)) {
      assertThat(checks.get(c, "/api/v1/clusters").path("clusters")).hasSize(2);
      assertThat(checks.get(c, "/api/v1/health").isObject()).isTrue();
    }
    // The follower judges sync from what the leader published: the same conditions as the leader's.
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      for (String c : List.of("c1", "c2")) {
        assertThat(syncConditions(follower, c)).isEqualTo(syncConditions(leader, c))
            .allSatisfy(cond -> assertThat(cond).doesNotContain("NoSyncSession"));
      }
    });
    checks.assertConformant("c1");

    // A policy applied and deleted through the follower reaches the members through the leader's
    // poll (2 s), not the hourly resync.
    mesh.useControllerAt(follower.port());
    CliRunner.Result applied = mesh.cli().run("policy", "apply", "-f", examples("allow-dns.yaml").toString());
    assertThat(applied.exit()).as(applied.toString()).isZero();
    for (String c : List.of("c1", "c2")) {
      await().atMost(POLL_WAIT).ignoreExceptions().untilAsserted(() -> assertThat(policyIn(c, "production", "allow-dns"))
          .isNotNull().satisfies(p -> assertThat(p.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "meshfed")));
    }
    CliRunner.Result deleted = mesh.cli().run("policy", "delete", "production/allow-dns");
    assertThat(deleted.exit()).as(deleted.toString()).isZero();
    for (String c : List.of("c1", "c2")) {
      await().atMost(POLL_WAIT).ignoreExceptions().untilAsserted(() -> assertThat(policyIn(c, "production", "allow-dns")).isNull());
    }

    long closedAt = System.nanoTime();
    mesh.stopController();
    await().atMost(Duration.ofSeconds(LEASE_SECONDS + 2))
        .until(() -> checks.get(follower, "/api/v1/leader").path("self").path("leader").asBoolean());
    Duration took = Duration.ofNanos(System.nanoTime() - closedAt);
    assertThat(took).as("failover within the lease TTL").isLessThan(Duration.ofSeconds(LEASE_SECONDS));
    assertThat(checks.get(follower, "/api/v1/leader").path("leader").path("instance").asText()).isEqualTo(follower.instanceId());

    String key = checks.createIdentity("c1", 4101);
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(key)).isPresent());
    assertThat(checks.metrics(follower)).contains("meshfed_leader{instance=\"" + follower.instanceId() + "\"} 1.0");
    for (String c : List.of("c1", "c2")) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> checks.assertAllSynced(follower, c));
    }
    checks.assertConformant("c1");
    checks.assertConformant("c2");
  }

  @Test
  @Order(2)
  @DisplayName("a leader process killed with SIGKILL (no lease revoked) is replaced within the TTL plus a tick; sync goes on with nothing lost")
  void leaderKilled() throws Exception {
    // Whichever replica leads now hands over to a separate JVM, which is then killed.
    ControllerProcess process = mesh.startControllerProcess(ENV);
    try {
      // After failover() the first controller is stopped and the former follower leads.
      mesh.stopController();
      follower.close();
      mesh.useControllerAt(process.port());
      await().atMost(WAIT).ignoreExceptions().until(() -> {
        try (ApiClient api = mesh.api()) {
          return api.get("/api/v1/leader").path("self").path("leader").asBoolean();
        }
      });
      follower = mesh.startReplica(ENV);
      assertThat(follower.isLeader()).isFalse();

      process.kill();
      long killedAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(LEASE_SECONDS + 10)).until(() -> follower.isLeader());
      Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
      // The key lives until the killed process's lease expires; one tick (a fifth of the TTL) later
      // the follower's campaign wins. Slack for a loaded machine: two seconds.
      assertThat(took).as("failover after SIGKILL").isLessThan(Duration.ofSeconds(LEASE_SECONDS + 3));

      String key = checks.createIdentity("c2", 4102);
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(key)).isPresent());
      for (String c : List.of("c1", "c2")) {
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> checks.assertAllSynced(follower, c));
      }
      checks.assertConformant("c1");
      checks.assertConformant("c2");
    } finally {
      process.close();
    }
  }

  @Test
  @Order(3)
  @DisplayName("a leave served by a follower (which holds no fencing token): its policies stay pruned, and the leader's orphan sweep removes all its synced data")
  void leaveThroughFollower() throws Exception {
    // After leaderKilled() the in-process replica leads; a new one follows.
    Controller leader = follower;
    Controller other = mesh.startReplica(ENV);
    try {
      assertThat(leader.isLeader()).isTrue();
      assertThat(other.isLeader()).isFalse();
      assertThat(root.list("cilium/cache/identities/v1/c2/")).as("c2 has synced data to remove").isNotEmpty();
      // A policy the leader keeps in c2: the follower's prune deletes it, and the leader's drift
      // restore must not bring it back (the leave marks the member leaving for every replica).
      mesh.useControllerAt(leader.port());
      CliRunner.Result applied = mesh.cli().run("policy", "apply", "-f", examples("allow-dns.yaml").toString());
      assertThat(applied.exit()).as(applied.toString()).isZero();
      await().atMost(POLL_WAIT).ignoreExceptions().untilAsserted(() -> assertThat(policyIn("c2", "production", "allow-dns")).isNotNull());
      mesh.useControllerAt(other.port());
      CliRunner.Result left = mesh.cli().run("leave", "--cluster", "c2");
      assertThat(left.exit()).as(left.toString()).isZero();

      // The leave itself removes the record and the cluster config (agents disconnect); the data
      // goes when the leader's membership poll (2 s) sweeps clusters that are no members.
      assertThat(root.get("cilium/cluster-config/c2")).isEmpty();
      await().atMost(POLL_WAIT).untilAsserted(() -> assertThat(root.list("cilium/"))
          .extracting(kv -> kv.getKey().toString(java.nio.charset.StandardCharsets.UTF_8))
          .noneMatch(k -> k.contains("/c2/")));
      assertThat(leader.isLeader()).as("the leader's sweep was fenced by its own, valid token").isTrue();
      assertThat(policyIn("c2", "production", "allow-dns")).as("no policy restored in c2 after its leave").isNull();
      checks.assertConformant("c1");
    } finally {
      other.close();
    }
  }

  static Path examples(String file) {
    Path p = Path.of("..", "examples", "policies", file).toAbsolutePath().normalize();
    assertThat(p).exists();
    return p;
  }

  static GenericKubernetesResource policyIn(String cluster, String namespace, String name) {
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null)) {
      return k.genericKubernetesResources(CNP).inNamespace(namespace).withName(name).get();
    }
  }

  /** Each sync-derived condition of the member's health as "type=status/reason". */
  static List<String> syncConditions(Controller c, String cluster) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode cond : checks.get(c, "/api/v1/clusters/" + cluster + "/health").path("conditions")) {
      String type = cond.path("type").asText();
      if (type.endsWith("Synced")) {
        out.add(type + "=" + cond.path("status").asText() + "/" + cond.path("reason").asText());
      }
    }
    assertThat(out).as("sync conditions of " + cluster).isNotEmpty();
    return out;
  }
}
