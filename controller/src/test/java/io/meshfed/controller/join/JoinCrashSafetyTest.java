package io.meshfed.controller.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The controller killed between join steps (a separate JVM halting at a crash point, as abruptly
 * as SIGKILL) leaves no half-registered cluster: the restarted controller rolls the JOINING record
 * back, revokes what it issued and returns the token's use; the same join command then succeeds.
 */
class JoinCrashSafetyTest {
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
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).start();
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
  @ValueSource(strings = {"join.after-register", "join.after-secrets"})
  @DisplayName("a controller killed between join steps leaves no half-registered cluster; after restart the same join succeeds")
  void crashBetweenJoinSteps(String point) throws Exception {
    String cluster = point.endsWith("register") ? "c1" : "c2";
    String id = cluster.substring(1);
    ControllerProcess crashing = mesh.startControllerProcess(Map.of(FaultInjection.ENV, point));
    var created = new ObjectMapper().readTree(mesh.cli().run("token", "create", "--uses", "1", "-o", "json").out());
    String token = created.get("token").asText();
    String caHash = created.get("caHash").asText();
    String[] joinArgs = {"join", "--controller", crashing.url(), "--token", token, "--ca-hash", caHash,
        "--kubeconfig", sims.cluster(cluster).kubeconfig().toString(), "--cluster-name", cluster, "--cluster-id", id};

    CliRunner.Result failed = new CliRunner(MeshHarness.ENV).run(joinArgs);
    assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
    assertThat(crashing.waitForExit(60)).isEqualTo(137);
    try (MeshStore s = root()) {
      assertThat(s.cluster(cluster)).get().extracting(v -> v.value().state()).isEqualTo(ClusterRecord.State.JOINING);
      assertThat(s.token(token.substring(0, 6)).orElseThrow().value().usesLeft()).isZero();
    }
    // The CLI saw the failure and removed what it had created in the member.
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null)) {
      assertThat(k.serviceAccounts().inNamespace("meshfed-system").withName("meshfed-controller").get()).isNull();
    }

    try (ControllerProcess restarted = mesh.startControllerProcess(Map.of())) {
      // The killed controller still leads until its election lease runs out (15 s); the restarted
      // one then leads and rolls back the joins of replicas that are gone (record, then token use).
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        try (MeshStore s = root()) {
          assertThat(s.cluster(cluster)).isEmpty();
          assertThat(s.clusterById(Integer.parseInt(id))).isEmpty();
          assertThat(s.token(token.substring(0, 6)).orElseThrow().value().usesLeft()).isEqualTo(1);
          assertThat(s.list(MeshKeys.REVOKED)).isNotEmpty();
        }
      });
      joinArgs[2] = restarted.url();
      CliRunner.Result again = new CliRunner(MeshHarness.ENV).run(joinArgs);
      assertThat(again.exit()).as(again.toString()).isZero();
      try (MeshStore s = root()) {
        assertThat(s.cluster(cluster)).get().extracting(v -> v.value().state()).isEqualTo(ClusterRecord.State.JOINED);
      }
    }
  }
}
