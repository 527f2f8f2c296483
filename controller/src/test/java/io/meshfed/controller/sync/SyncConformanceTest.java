package io.meshfed.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.KeyValue;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the mesh etcd the way a Cilium agent of c1 does (spec 1.5): with c1's own etcd
 * certificate from its cilium-clustermesh Secret, cluster config first, then the canaries, then
 * each prefix, validating every object as the agent would; and checks it against the source
 * objects of every simulated cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SuppressWarnings("unchecked")
class SyncConformanceTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static final List<String> MEMBERS = List.of("c1", "c2", "c3");
  static final Duration WAIT = Duration.ofSeconds(90);

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    assertThat(mesh.bootstrap(etcd.endpoints()).exit()).isZero();
    mesh.startController();
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3)
        .nodes(3).identities(12).endpoints(30).services(3).start();
    for (String c : MEMBERS) {
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

  static KubernetesClient admin(String c) {
    return MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null);
  }

  /** c1's agents' etcd identity, exactly as mounted from its cilium-clustermesh Secret. */
  static MeshStore asAgentOf(String c) {
    return CiliumAgentReader.connectAs(sims.cluster(c).kubeconfig(), etcd.endpoints(), mesh.mesh.bundle());
  }

  static String str(KeyValue kv) {
    return CiliumAgentReader.str(kv);
  }

  static Set<String> keySuffixes(MeshStore s, String prefix) {
    return CiliumAgentReader.keySuffixes(s, prefix);
  }

  static List<GenericKubernetesResource> list(KubernetesClient k, io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext ctx) {
    return CiliumAgentReader.list(k, ctx);
  }

  @Test
  @Order(1)
  @DisplayName("conformance: an agent of c1 finds each remote's cluster config (cached, canaries), every canary, and every object valid and equal to the source")
  void agentReadsEverythingRight() {
    try (MeshStore agent = asAgentOf("c1")) {
      for (String r : List.of("c2", "c3")) {
        try (KubernetesClient k = admin(r)) {
          CiliumAgentReader.assertConformant(agent, r, Integer.parseInt(r.substring(1)), k, WAIT);
        }
      }
      assertThat(agent.get("cilium/.heartbeat")).isPresent();
      assertThat(Instant.parse(str(agent.get("cilium/.heartbeat").orElseThrow()))).isAfter(Instant.now().minusSeconds(120));
    }
  }

  static GenericKubernetesResource identity(String name, String cluster) {
    return new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind("CiliumIdentity")
        .withNewMetadata().withName(name).endMetadata()
        .addToAdditionalProperties("security-labels", Map.of("k8s:app", "churn", "k8s:io.cilium.k8s.policy.cluster", cluster,
            "k8s:io.kubernetes.pod.namespace", "default"))
        .build();
  }

  @Test
  @Order(2)
  @DisplayName("GET /api/v1/services and `meshfed services`: each global service merged across clusters with backends per cluster")
  void mergedServices() throws Exception {
    await().atMost(WAIT).untilAsserted(() -> {
      CliRunner.Result r = mesh.cli().run("services", "-o", "json");
      assertThat(r.exit()).as(r.toString()).isZero();
      JsonNode services = new ObjectMapper().readTree(r.out()).get("services");
      assertThat(services).isNotEmpty();
      for (JsonNode svc : services) {
        assertThat(svc.get("clusters")).hasSize(3);
        for (JsonNode c : svc.get("clusters")) {
          assertThat(c.get("backends")).isNotEmpty();
          assertThat(c.get("frontends")).isNotEmpty();
        }
      }
    });
    assertThat(mesh.cli().run("services").out()).contains("NAMESPACE").contains("c1(").contains("c3(");
  }

  @Test
  @Order(3)
  @DisplayName("churn: an identity created, then deleted, in c2 appears and disappears; a service that stops being global is removed")
  void churnReachesEtcd() {
    String id = String.valueOf((2 << 16) + 4000);
    String key = "cilium/cache/identities/v1/c2/id/" + id;
    try (KubernetesClient k = admin("c2"); MeshStore agent = asAgentOf("c1")) {
      k.genericKubernetesResources(SyncSession.IDENTITIES).resource(identity(id, "c2")).create();
      await().atMost(WAIT).untilAsserted(() -> assertThat(agent.get(key)).get().extracting(SyncConformanceTest::str)
          .isEqualTo("k8s:app=churn;k8s:io.cilium.k8s.policy.cluster=c2;k8s:io.kubernetes.pod.namespace=default;"));
      k.genericKubernetesResources(SyncSession.IDENTITIES).withName(id).delete();
      await().atMost(WAIT).untilAsserted(() -> assertThat(agent.get(key)).isEmpty());

      var svc = k.services().inAnyNamespace().list().getItems().stream()
          .filter(s -> s.getMetadata().getAnnotations() != null && s.getMetadata().getAnnotations().containsKey("service.cilium.io/global"))
          .findFirst().orElseThrow();
      String svcKey = "cilium/cache/services/v1/c2/" + svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
      assertThat(agent.get(svcKey)).isPresent();
      svc.getMetadata().getAnnotations().remove("service.cilium.io/global");
      k.services().inNamespace(svc.getMetadata().getNamespace()).resource(svc).update();
      await().atMost(WAIT).untilAsserted(() -> assertThat(agent.get(svcKey)).isEmpty());
    }
  }

  @Test
  @Order(4)
  @DisplayName("churn: an endpoint that changes its IP moves its key; a deleted CiliumNode's key is deleted")
  void endpointAndNodeChurn() {
    try (KubernetesClient k = admin("c2"); MeshStore agent = asAgentOf("c1")) {
      GenericKubernetesResource ep = list(k, SyncSession.ENDPOINTS).get(0);
      List<Map<String, Object>> addressing = ep.get("status", "networking", "addressing");
      String oldIp = String.valueOf(addressing.get(0).get("ipv4"));
      String newIp = "10.2.250.7";
      Map<String, Object> status = (Map<String, Object>) ep.getAdditionalProperties().get("status");
      Map<String, Object> networking = new java.util.LinkedHashMap<>((Map<String, Object>) status.get("networking"));
      networking.put("addressing", List.of(Map.of("ipv4", newIp)));
      status.put("networking", networking);
      k.genericKubernetesResources(SyncSession.ENDPOINTS).inNamespace(ep.getMetadata().getNamespace()).resource(ep).update();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(agent.get("cilium/cache/ip/v1/c2/" + newIp)).isPresent();
        assertThat(agent.get("cilium/cache/ip/v1/c2/" + oldIp)).isEmpty();
      });
      GenericKubernetesResource node = list(k, SyncSession.NODES).get(0);
      k.genericKubernetesResources(SyncSession.NODES).withName(node.getMetadata().getName()).delete();
      await().atMost(WAIT).untilAsserted(() -> assertThat(agent.get("cilium/cache/nodes/v1/c2/" + node.getMetadata().getName())).isEmpty());
    }
  }

  @Test
  @Order(5)
  @DisplayName("an IP already owned by another cluster's endpoint is refused for the second cluster; the first owner's key stays")
  void ipClaimedByTwoClusters() throws Exception {
    try (KubernetesClient c2 = admin("c2"); KubernetesClient c3 = admin("c3"); MeshStore agent = asAgentOf("c1")) {
      GenericKubernetesResource owner = list(c2, SyncSession.ENDPOINTS).get(1);
      List<Map<String, Object>> addressing = owner.get("status", "networking", "addressing");
      String ip = String.valueOf(addressing.get(0).get("ipv4"));
      GenericKubernetesResource thief = list(c3, SyncSession.ENDPOINTS).get(1);
      Map<String, Object> status = (Map<String, Object>) thief.getAdditionalProperties().get("status");
      Map<String, Object> networking = new java.util.LinkedHashMap<>((Map<String, Object>) status.get("networking"));
      networking.put("addressing", List.of(Map.of("ipv4", ip)));
      status.put("networking", networking);
      c3.genericKubernetesResources(SyncSession.ENDPOINTS).inNamespace(thief.getMetadata().getNamespace()).resource(thief).update();
      await().atMost(WAIT).untilAsserted(() -> assertThat(syncStatus("c3")).contains(ip).contains("already used"));
      assertThat(agent.get("cilium/cache/ip/v1/c3/" + ip)).isEmpty();
      assertThat(agent.get("cilium/cache/ip/v1/c2/" + ip)).isPresent();
    }
  }

  @Test
  @Order(6)
  @DisplayName("an unreachable member keeps its keys and shows as unreachable; the other members keep syncing; it recovers when it returns")
  void unreachableMember() throws Exception {
    long nodesBefore;
    try (MeshStore agent = asAgentOf("c1")) {
      nodesBefore = agent.list("cilium/cache/nodes/v1/c2/").size();
    }
    sims.stop("c2");
    try {
      await().atMost(WAIT).untilAsserted(() -> assertThat(syncStatus("c2")).contains("\"reachable\":false"));
      String id = String.valueOf((1 << 16) + 4100);
      try (KubernetesClient k = admin("c1"); MeshStore agent = asAgentOf("c3")) {
        k.genericKubernetesResources(SyncSession.IDENTITIES).resource(identity(id, "c1")).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(agent.get("cilium/cache/identities/v1/c1/id/" + id)).isPresent());
        assertThat(agent.list("cilium/cache/nodes/v1/c2/")).hasSize((int) nodesBefore);
      }
    } finally {
      sims.start("c2");
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(syncStatus("c2")).contains("\"reachable\":true"));
  }

  @Test
  @Order(7)
  @DisplayName("after a controller restart every session lists again, sweeps stale keys only after its full list is written, and rewrites the canary")
  void restartSweepsStaleKeys() throws Exception {
    String canaryBefore;
    try (MeshStore root = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect())) {
      canaryBefore = str(root.get("cilium/synced/c2/cilium/cache/nodes/v1").orElseThrow());
      mesh.stopController();
      root.client().getKVClient().put(io.etcd.jetcd.ByteSequence.from("cilium/cache/nodes/v1/c2/ghost", StandardCharsets.UTF_8),
          io.etcd.jetcd.ByteSequence.from("{}", StandardCharsets.UTF_8)).get();
    }
    String deleted;
    try (KubernetesClient k = admin("c2")) {
      GenericKubernetesResource node = list(k, SyncSession.NODES).get(0);
      deleted = node.getMetadata().getName();
      k.genericKubernetesResources(SyncSession.NODES).withName(deleted).delete();
    }
    mesh.startController();
    try (MeshStore agent = asAgentOf("c1")) {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(agent.get("cilium/cache/nodes/v1/c2/ghost")).isEmpty();
        assertThat(agent.get("cilium/cache/nodes/v1/c2/" + deleted)).isEmpty();
        assertThat(str(agent.get("cilium/synced/c2/cilium/cache/nodes/v1").orElseThrow())).isNotEqualTo(canaryBefore);
      });
      assertThat(agent.list("cilium/cache/nodes/v1/c2/")).isNotEmpty();
    }
  }

  @Test
  @Order(8)
  @DisplayName("refusal: an identity outside c2's range is never written and shows with its reason in GET /api/v1/clusters/c2/sync")
  void outOfRangeIdentityRefused() throws Exception {
    String bad = String.valueOf((5 << 16) + 300);
    try (KubernetesClient k = admin("c2"); MeshStore agent = asAgentOf("c1")) {
      k.genericKubernetesResources(SyncSession.IDENTITIES).resource(identity(bad, "c2")).create();
      await().atMost(WAIT).untilAsserted(() -> {
        var status = io.meshfed.controller.cli.ApiClient.json().readTree(syncStatus("c2"));
        assertThat(status.path("types").path("identities").path("refused").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(status.path("recentRefusals").toString()).contains(bad);
      });
      assertThat(agent.get("cilium/cache/identities/v1/c2/id/" + bad)).isEmpty();
    }
  }

  static String syncStatus(String cluster) {
    var cfg = io.meshfed.controller.config.CliConfig.load(mesh.dir.resolve("meshfed-test.yaml"));
    try (var api = io.meshfed.controller.cli.ApiClient.admin(cfg, MeshHarness.passphrase())) {
      return api.get("/api/v1/clusters/" + cluster + "/sync").toString();
    }
  }

  @Test
  @Order(9)
  @DisplayName("leave deletes every key of the cluster: the cluster config at once, canaries and data after the agents' grace period")
  void leaveDeletesAllKeys() {
    CliRunner.Result r = mesh.cli().run("leave", "--cluster", "c3");
    assertThat(r.exit()).as(r.toString()).isZero();
    try (MeshStore agent = asAgentOf("c1")) {
      // The cluster config goes with the leave itself, so agents disconnect first ...
      assertThat(agent.get("cilium/cluster-config/c3")).isEmpty();
      // ... and the data follows after the grace period (1 s in tests, 3 minutes by default).
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(agent.list("cilium/synced/c3/")).isEmpty();
        for (String p : List.of("identities", "ip", "nodes", "services")) {
          assertThat(agent.list("cilium/cache/" + p + "/v1/c3/")).isEmpty();
        }
      });
      assertThat(agent.list("cilium/cache/nodes/v1/c2/")).isNotEmpty();
    }
  }
}
