package io.meshfed.controller.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.ApiClientException;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.runtime.FaultInjection;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The controller killed during a join (a separate JVM halting at a crash point, as abruptly as
 * SIGKILL) leaves no half-joined cluster. The join CLI, left without an answer, asks the restarted
 * controller (same port) what became of its registration: killed before the registration was
 * complete, the new leader rolls the JOINING record back (revoking what it issued, returning the
 * token's use), the CLI hears NONE, removes what it created in the member and fails, and the same
 * join then succeeds; killed after the registration was complete but before the answer, the CLI
 * hears JOINED and reports the join, with the member's objects in place.
 */
class JoinCrashSafetyTest {
  /** A 3 s election lease: the restart leads 3 s after the kill instead of 15 (the default is the e2e's). */
  static final Map.Entry<String, String> LEASE = Map.entry("MESHFED_LEADER_LEASE_SECONDS", "3");
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() {
    CliRunner.Result r = mesh.bootstrap(etcd.endpoints());
    assertThat(r.exit()).as(r.toString()).isZero();
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3).start();
  }

  @AfterAll
  static void stop() {
    if (sims != null) {
      sims.close();
    }
  }

  static MeshStore root() {
    return new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
  }

  @ParameterizedTest(name = "crash at {0}")
  @ValueSource(strings = {"join.after-register", "join.after-secrets", "join.after-joined"})
  @DisplayName("a controller killed during a join: the CLI learns the outcome from the restarted controller; nothing is left half-joined")
  void crashDuringJoin(String point) throws Exception {
    String cluster = switch (point) {
      case "join.after-register" -> "c1";
      case "join.after-secrets" -> "c2";
      default -> "c3";
    };
    boolean completed = point.equals("join.after-joined");
    String id = cluster.substring(1);
    ControllerProcess crashing = mesh.startControllerProcess(Map.of(FaultInjection.ENV, point, LEASE.getKey(), LEASE.getValue()));
    var created = new ObjectMapper().readTree(mesh.cli().run("token", "create", "--uses", "1", "-o", "json").out());
    String token = created.get("token").asText();
    String caHash = created.get("caHash").asText();
    String[] joinArgs = {"join", "--controller", crashing.url(), "--token", token, "--ca-hash", caHash,
        "--kubeconfig", sims.cluster(cluster).kubeconfig().toString(), "--cluster-name", cluster, "--cluster-id", id};

    CompletableFuture<CliRunner.Result> joining = CompletableFuture.supplyAsync(() -> new CliRunner(MeshHarness.ENV).run(joinArgs));
    assertThat(crashing.waitForExit(60)).isEqualTo(137);
    try (MeshStore s = root()) {
      assertThat(s.cluster(cluster)).get().extracting(v -> v.value().state())
          .isEqualTo(completed ? ClusterRecord.State.JOINED : ClusterRecord.State.JOINING);
      assertThat(s.token(token.substring(0, 6)).orElseThrow().value().usesLeft()).isZero();
    }
    assertThat(joining).as("the CLI waits for an answer about its registration").isNotDone();

    try (ControllerProcess restarted = mesh.startControllerProcess(Map.ofEntries(LEASE), crashing.port())) {
      // The killed controller still leads until its election lease runs out; then the restarted
      // one leads, rolls back the joins of replicas that are gone, and the CLI hears it.
      CliRunner.Result first = joining.get(3, TimeUnit.MINUTES);
      try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null);
          MeshStore s = root()) {
        if (completed) {
          assertThat(first.exit()).as(first.toString()).isZero();
          assertThat(first.err()).contains("the controller had completed the join");
          assertThat(first.out()).contains("joined " + cluster);
          assertThat(s.cluster(cluster)).get().extracting(v -> v.value().state()).isEqualTo(ClusterRecord.State.JOINED);
          assertThat(k.serviceAccounts().inNamespace("meshfed-system").withName("meshfed-controller").get()).isNotNull();
          assertThat(k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get()).isNotNull();
          // The new leader writes every member's cilium-clustermesh at once, the new one's included.
          await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
              k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get().getData()).containsKey("meshfed-etcd-client.crt"));
          return;
        }
        assertThat(first.exit()).as(first.toString()).isEqualTo(1);
        assertThat(first.err()).contains("holds no registration from this join");
        assertThat(s.cluster(cluster)).isEmpty();
        assertThat(s.clusterById(Integer.parseInt(id))).isEmpty();
        assertThat(s.token(token.substring(0, 6)).orElseThrow().value().usesLeft()).isEqualTo(1);
        assertThat(s.list(MeshKeys.REVOKED)).isNotEmpty();
        // The CLI removed what it had created in the member.
        assertThat(k.serviceAccounts().inNamespace("meshfed-system").withName("meshfed-controller").get()).isNull();
      }
      joinArgs[2] = restarted.url();
      CliRunner.Result again = new CliRunner(MeshHarness.ENV).run(joinArgs);
      assertThat(again.exit()).as(again.toString()).isZero();
      try (MeshStore s = root()) {
        assertThat(s.cluster(cluster)).get().extracting(v -> v.value().state()).isEqualTo(ClusterRecord.State.JOINED);
      }
    }
  }

  @Test
  @DisplayName("join outcome: refused without the join's token or with a bad cluster name, each naming the field")
  void outcomeRefusals() throws Exception {
    try (ControllerProcess c = mesh.startControllerProcess(Map.of());
        ApiClient api = ApiClient.serverAuthenticated(c.url(), mesh.mesh.bundle())) {
      ApiClientException noToken = catchThrowableOfType(() -> api.post("/api/v1/join/outcome", Map.of("clusterName", "c9"),
          "zzzzzz.0000000000000000"), ApiClientException.class);
      assertThat(noToken.status()).isEqualTo(401);
      assertThat(noToken.getMessage()).contains("token");
      var created = new ObjectMapper().readTree(mesh.cli().run("token", "create", "--uses", "1", "-o", "json").out());
      ApiClientException badName = catchThrowableOfType(() -> api.post("/api/v1/join/outcome", Map.of("clusterName", "Bad_Name"),
          created.get("token").asText()), ApiClientException.class);
      assertThat(badName.status()).isEqualTo(400);
      assertThat(badName.getMessage()).contains("clusterName");
      // A valid token that joined nothing: NONE (a name registered by another token is not this join's).
      assertThat(api.post("/api/v1/join/outcome", Map.of("clusterName", "c9"), created.get("token").asText()).path("state").asText())
          .isEqualTo("NONE");
    }
  }
}
