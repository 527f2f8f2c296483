package io.meshfed.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With a cacheTTL, an unreachable member's global services are revoked (as Cilium's clustermesh-cache-ttl) and come back with it. */
class SyncCacheTtlTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    assertThat(mesh.bootstrap(etcd.endpoints()).exit()).isZero();
    mesh.startController(Map.of("MESHFED_CACHE_TTL_SECONDS", "3"));
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).services(2).start();
    for (String c : new String[] {"c1", "c2"}) {
      CliRunner.Result r = mesh.join(sims, c, Integer.parseInt(c.substring(1)));
      assertThat(r.exit()).as(r.toString()).isZero();
    }
  }

  @AfterAll
  static void stop() {
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @DisplayName("after cacheTTL unreachable, c2's services are revoked while its nodes stay; when c2 returns its services are written again")
  void servicesRevokedAfterTtlAndRestored() {
    Duration wait = Duration.ofSeconds(90);
    try (MeshStore s = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect())) {
      await().atMost(wait).untilAsserted(() -> assertThat(s.list("cilium/cache/services/v1/c2/")).hasSize(2));
      int nodes = s.list("cilium/cache/nodes/v1/c2/").size();
      assertThat(nodes).isPositive();
      sims.stop("c2");
      try {
        await().atMost(wait).untilAsserted(() -> assertThat(s.list("cilium/cache/services/v1/c2/")).isEmpty());
        assertThat(s.list("cilium/cache/nodes/v1/c2/")).hasSize(nodes);
        assertThat(s.list("cilium/cache/services/v1/c1/")).hasSize(2);
      } finally {
        sims.start("c2");
      }
      await().atMost(wait).untilAsserted(() -> assertThat(s.list("cilium/cache/services/v1/c2/")).hasSize(2));
    }
  }
}
