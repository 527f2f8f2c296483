package io.meshfed.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.ApiClientException;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.sync.kv.Heartbeat;
import io.meshfed.controller.sync.kv.MarkerSettings;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
 * Issue #8 point 2: the mesh etcd as a 3-member cluster (TLS, client-cert auth), a controller and
 * two joined simulated clusters, with members killed, quorum lost and regained, the history
 * compacted and the whole etcd restarted. Every wait is an await on an observable outcome; no
 * assertion depends on how long a fault lasted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdFailoverTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  /** Root view of etcd, to check what actually landed there. */
  static MeshStore root;
  static final List<String> MEMBERS = List.of("c1", "c2");
  static final Duration WAIT = Duration.ofSeconds(120);
  /**
   * An upper bound for one API answer while etcd has no quorum: the store's per-call timeout
   * (15 s) with ample slack. It only tells "answers" from "hangs": ApiClient itself waits 120 s.
   */
  static final Duration NO_HANG = Duration.ofSeconds(60);

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.cluster(3).withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    assertThat(mesh.bootstrap(etcd.endpoints()).exit()).isZero();
    mesh.startController();
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2)
        .nodes(2).identities(4).endpoints(6).services(2).start();
    for (String c : MEMBERS) {
      CliRunner.Result r = mesh.join(sims, c, clusterId(c));
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    root = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
    awaitAllSynced();
  }

  @AfterAll
  static void stop() {
    if (root != null) {
      root.close();
    }
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("one member (the leader) killed: clusters, health and readyz answer 200 and a member's change reaches etcd; the member restarted rejoins")
  void oneMemberDown() throws Exception {
    EtcdCluster cluster = etcd.etcdCluster();
    int victim = cluster.leader().map(cluster.members()::indexOf).orElse(0);
    cluster.kill(victim);

    CliRunner.Result clusters = mesh.cli().run("clusters");
    assertThat(clusters.exit()).as(clusters.toString()).isZero();
    assertThat(clusters.out()).contains("c1").contains("c2");
    try (ApiClient api = mesh.api()) {
      assertThat(api.get("/api/v1/health").isObject()).isTrue();
      assertThat(api.get("/readyz").path("status").asText()).isEqualTo("ready");
    }
    String key = createIdentity("c1", 4001);
    await().atMost(WAIT).untilAsserted(() -> assertThat(root.get(key)).isPresent());

    cluster.startMember(victim);
    assertThat(cluster.member(victim).isRunning()).isTrue();
    try (ApiClient api = mesh.api()) {
      assertThat(api.get("/readyz").path("status").asText()).isEqualTo("ready");
    }
  }

  @Test
  @Order(2)
  @DisplayName("quorum lost: readyz and admin reads answer 503 naming etcd without hanging, the controller lives on; quorum back: ready, the outage's change lands, canaries and heartbeat present, synced")
  void quorumLostAndRegained() throws Exception {
    long identityKeysBefore = identityKeys("c2");
    EtcdCluster cluster = etcd.etcdCluster();
    cluster.kill(1);
    cluster.kill(2);

    try (ApiClient api = mesh.api()) {
      await().atMost(WAIT).untilAsserted(() -> {
        ApiClientException notReady = catchThrowableOfType(() -> api.get("/readyz"), ApiClientException.class);
        assertThat(notReady).as("/readyz without quorum").isNotNull();
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.code()).isEqualTo("NotReady");
        assertThat(notReady.getMessage()).contains("etcd");
      });

      long before = System.nanoTime();
      ApiClientException read = catchThrowableOfType(() -> api.get("/api/v1/clusters"), ApiClientException.class);
      Duration took = Duration.ofNanos(System.nanoTime() - before);
      assertThat(read).as("GET /api/v1/clusters without quorum").isNotNull();
      assertThat(read.status()).as(read.getMessage()).isEqualTo(503);
      assertThat(read.code()).isEqualTo("StoreUnavailable");
      assertThat(read.getMessage()).contains("etcd");
      assertThat(took).as("answered, not hung").isLessThan(NO_HANG);
    }

    // A change in a member while etcd cannot take writes: it must reach etcd once quorum is back.
    String key = createIdentity("c2", 4002);
    // Without quorum the leader cannot renew its election lease: it steps down (sync sessions stop)
    // rather than write unfenced; the change is taken in once it leads again.
    await().atMost(WAIT).until(() -> !mesh.controller().isLeader());
    // The controller is still serving (an in-process System.exit would have ended this JVM).
    assertThat(mesh.controller()).isNotNull();
    CliRunner.Result clusters = mesh.cli().run("clusters");
    assertThat(clusters.exit()).as("the CLI reports the outage: " + clusters).isNotZero();
    assertThat(clusters.err()).contains("etcd");

    cluster.startMembers(1, 2);

    awaitReadyWithBothClusters();
    await().atMost(WAIT).until(() -> mesh.controller().isLeader());
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(identityKeys("c2")).isGreaterThan(identityKeysBefore));
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(key)).isPresent());
    awaitAllSynced();
  }

  @Test
  @Order(3)
  @DisplayName("compaction, then every member restarted: reads and sync resume, a later change reaches etcd, nothing goes missing")
  void compactionAndFullRestart() throws Exception {
    String beforeCompaction = createIdentity("c1", 4003);
    await().atMost(WAIT).untilAsserted(() -> assertThat(root.get(beforeCompaction)).isPresent());
    compactToNow();

    String afterCompaction = createIdentity("c2", 4004);
    await().atMost(WAIT).untilAsserted(() -> assertThat(root.get(afterCompaction)).isPresent());

    EtcdCluster cluster = etcd.etcdCluster();
    int[] all = IntStream.range(0, cluster.size()).toArray();
    for (int m : all) {
      cluster.stopMember(m);
    }
    cluster.startMembers(all);
    compactToNow();

    String afterRestart = createIdentity("c1", 4005);
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(afterRestart)).isPresent());
    awaitReadyWithBothClusters();
    try (ApiClient api = mesh.api()) {
      assertThat(api.get("/api/v1/health").isObject()).isTrue();
    }
    for (String key : List.of(beforeCompaction, afterCompaction, afterRestart)) {
      assertThat(root.get(key)).as(key).isPresent();
    }
    awaitAllSynced();
  }

  @Test
  @Order(4)
  @DisplayName("a lease whose keep-alive runs out during a quorum loss (5 s TTL) is replaced by a new, live lease once quorum is back")
  void leaseLostInOutageIsRegranted() throws Exception {
    MarkerSettings shortLease = MarkerSettings.defaults().withLeaseTtl(Duration.ofSeconds(5))
        .withHeartbeatInterval(Duration.ofSeconds(1));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (Heartbeat heartbeat = Heartbeat.start(root.client(), shortLease, scheduler, Clock.systemUTC())) {
      heartbeat.firstWrite().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      long before = heartbeat.leaseId();
      assertThat(before).isNotZero();

      EtcdCluster cluster = etcd.etcdCluster();
      cluster.kill(0);
      cluster.kill(1);
      // jetcd ends the keep-alive (onCompleted) once the TTL passes unanswered: the lease is given up.
      await().atMost(WAIT).untilAsserted(() -> assertThat(heartbeat.leaseId()).isNotEqualTo(before));
      cluster.startMembers(0, 1);

      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
        long now = heartbeat.leaseId();
        assertThat(now).isNotIn(before, 0L);
        assertThat(leaseTtl(now)).as("the new lease is alive").isPositive();
      });
    } finally {
      scheduler.shutdownNow();
    }
    // The controller's own heartbeat (15-minute lease) is there and on a live lease too.
    await().atMost(WAIT).ignoreExceptions()
        .untilAsserted(() -> assertThat(leaseTtl(root.get("cilium/.heartbeat").orElseThrow().getLease())).isPositive());
  }

  // ---- helpers -------------------------------------------------------------------------------

  static int clusterId(String cluster) {
    return Integer.parseInt(cluster.substring(1));
  }

  static List<KeyValue> concat(List<KeyValue> list, KeyValue one) {
    List<KeyValue> all = new java.util.ArrayList<>(list);
    all.add(one);
    return all;
  }

  static long leaseTtl(long lease) throws Exception {
    return root.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(30, TimeUnit.SECONDS).getTTL();
  }

  /** Compacts etcd's history up to its current revision (as an operator or etcd's auto-compaction would). */
  static void compactToNow() throws Exception {
    long revision = root.revision();
    root.client().getKVClient().compact(revision).get();
  }

  /** Creates a CiliumIdentity in {@code cluster}'s own range and returns the key it must reach in etcd. */
  static String createIdentity(String cluster, int offset) {
    String id = String.valueOf((clusterId(cluster) << 16) + offset);
    GenericKubernetesResource identity = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
        .withKind("CiliumIdentity").withNewMetadata().withName(id).endMetadata()
        .addToAdditionalProperties("security-labels", Map.of("k8s:app", "failover",
            "k8s:io.cilium.k8s.policy.cluster", cluster, "k8s:io.kubernetes.pod.namespace", "default"))
        .build();
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null)) {
      k.genericKubernetesResources(CiliumAgentReader.IDENTITIES).resource(identity).create();
    }
    return "cilium/cache/identities/v1/" + cluster + "/id/" + id;
  }

  /** How many identity keys {@code cluster}'s sync session holds, per {@code GET /api/v1/clusters/{name}/sync}. */
  static long identityKeys(String cluster) throws Exception {
    try (ApiClient api = mesh.api()) {
      return api.get("/api/v1/clusters/" + cluster + "/sync").path("types").path("identities").path("keys").asLong(-1);
    }
  }

  /** After a fault: {@code /readyz} turns 200 again, and both clusters are listed. */
  static void awaitReadyWithBothClusters() throws Exception {
    try (ApiClient api = mesh.api()) {
      await().atMost(WAIT).ignoreExceptions()
          .untilAsserted(() -> assertThat(api.get("/readyz").path("status").asText()).isEqualTo("ready"));
      assertThat(api.get("/api/v1/clusters").path("clusters")).hasSize(MEMBERS.size());
    }
  }

  static void awaitAllSynced() {
    for (String c : MEMBERS) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertSynced(c));
    }
  }

  /** Every type synced per the API, and the cluster's canaries and the mesh heartbeat in etcd. */
  static void assertSynced(String cluster) throws Exception {
    try (ApiClient api = mesh.api()) {
      JsonNode sync = api.get("/api/v1/clusters/" + cluster + "/sync");
      assertThat(sync.path("types").size()).as(sync.toString()).isPositive();
      sync.path("types").forEach(t -> assertThat(t.path("synced").asBoolean()).as(sync.toString()).isTrue());
    }
    List<KeyValue> canaries = root.list("cilium/synced/" + cluster + "/");
    assertThat(canaries).as("canaries of " + cluster).isNotEmpty();
    KeyValue heartbeat = root.get("cilium/.heartbeat").orElseThrow();
    for (KeyValue kv : concat(canaries, heartbeat)) {
      if (kv.getLease() != 0) {
        assertThat(leaseTtl(kv.getLease())).as("lease of " + kv.getKey() + " is alive").isPositive();
      }
    }
  }
}
