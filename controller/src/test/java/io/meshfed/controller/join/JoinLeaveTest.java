package io.meshfed.controller.join;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.certs.ChainVerifier;
import io.meshfed.certs.Pem;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Join and leave end to end: real etcd with mTLS, the real controller, three simulated clusters, the real CLI. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JoinLeaveTest {
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
    CliRunner.Result r = mesh.bootstrap(etcd.endpoints());
    assertThat(r.exit()).as(r.toString()).isZero();
    mesh.startController();
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3)
        .user("viewer", io.meshfed.testkit.simcluster.UserProfile.READONLY).start();
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

  static String newToken(int uses) throws Exception {
    CliRunner.Result t = mesh.cli().run("token", "create", "--uses", String.valueOf(uses), "-o", "json");
    assertThat(t.exit()).as(t.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(t.out());
    caHash = n.get("caHash").asText();
    return n.get("token").asText();
  }

  static String caHash;

  static CliRunner.Result join(String token, String kubeconfigOf, String name, String id, String... extra) {
    List<String> args = new ArrayList<>(List.of("join", "--controller", mesh.url(), "--token", token, "--ca-hash", caHash,
        "--kubeconfig", sims.cluster(kubeconfigOf).kubeconfig().toString(), "--cluster-name", name, "--cluster-id", id));
    args.addAll(List.of(extra));
    return new CliRunner(MeshHarness.ENV).run(args.toArray(String[]::new));
  }

  static MeshStore root() {
    return new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
  }

  /**
   * The newest modification revision under {@code meshfed/} plus the key count there: what a join
   * writes. (etcd's global revision also moves with the mesh heartbeat and the sync, which a
   * refused join has nothing to do with.)
   */
  /**
   * Newest revision and count of the mesh's keys, except the leader's own bookkeeping (who leads,
   * which replicas live, the sync summaries it publishes every few seconds): what a join writes.
   */
  static String revision() {
    try (MeshStore s = root()) {
      var kvs = s.list("meshfed/").stream().filter(kv -> {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        return !key.equals("meshfed/leader") && !key.startsWith("meshfed/replicas/") && !key.startsWith("meshfed/sync-status/");
      }).toList();
      return kvs.stream().mapToLong(io.etcd.jetcd.KeyValue::getModRevision).max().orElse(0) + "/" + kvs.size()
          + "/" + s.list("cilium/cluster-config/").size();
    }
  }

  static KubernetesClient admin(String cluster) {
    return MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null);
  }

  @Test
  @Order(1)
  @DisplayName("--dry-run checks everything, prints the plan, and changes neither meshfed's state in etcd (newest revision and key count under meshfed/) nor the member")
  void dryRunChangesNothing() throws Exception {
    String token = newToken(1);
    String before = revision();
    int namespaces;
    try (KubernetesClient c1 = admin("c1")) {
      namespaces = c1.namespaces().list().getItems().size();
    }
    CliRunner.Result r = join(token, "c1", "c1", "1", "--dry-run");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("dry run: every check passed").contains("meshfed-system").contains("meshfed/clusters/c1");
    assertThat(revision()).isEqualTo(before);
    try (KubernetesClient c1 = admin("c1")) {
      assertThat(c1.namespaces().list().getItems()).hasSize(namespaces);
      assertThat(c1.serviceAccounts().inNamespace("meshfed-system").withName("meshfed-controller").get()).isNull();
    }
  }

  static String usedToken;

  @Test
  @Order(2)
  @DisplayName("three clusters join; each member holds an agent certificate chaining to the mesh root; `meshfed clusters` lists them")
  void threeClustersJoin() throws Exception {
    for (String c : List.of("c1", "c2", "c3")) {
      usedToken = newToken(1);
      CliRunner.Result r = join(usedToken, c, c, c.substring(1), "--label", "env=test");
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("joined " + c).contains("meshfed-system/meshfed-agent-tls").contains("meshfed status");
      try (KubernetesClient k = admin(c)) {
        Secret s = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
        var certs = Pem.decodeCertificates("tls.crt", new String(Base64.getDecoder().decode(s.getData().get("tls.crt")), StandardCharsets.US_ASCII));
        assertThat(certs.get(0).getSubjectX500Principal().getName()).contains("CN=agent." + c);
        assertThat(new ChainVerifier(Clock.systemUTC()).verify(mesh.mesh.bundle(), certs.get(0), certs.subList(1, certs.size())).valid()).isTrue();
        assertThat(k.rbac().clusterRoles().withName("meshfed-member").get()).isNotNull();
      }
    }
    CliRunner.Result list = mesh.cli().run("clusters", "-o", "json");
    JsonNode clusters = new ObjectMapper().readTree(list.out()).get("clusters");
    assertThat(clusters).hasSize(3);
    assertThat(clusters.get(0).get("state").asText()).isEqualTo("JOINED");
    assertThat(clusters.get(0).get("labels").get("env").asText()).isEqualTo("test");
    assertThat(clusters.get(0).get("credentialExpiry").asText()).isNotBlank();
    assertThat(list.out()).doesNotContain("credentialsSealed").doesNotContain("token\"");
    assertThat(mesh.cli().run("clusters").out()).contains("NAME").contains("c2").contains("JOINED");
  }

  /** The member's etcd identity as its Cilium agents get it, from its cilium-clustermesh Secret. */
  static io.meshfed.certs.CertifiedKey etcdClientOf(String cluster) {
    try (KubernetesClient k = admin(cluster)) {
      Secret s = k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get();
      var certs = Pem.decodeCertificates("cert", new String(Base64.getDecoder().decode(s.getData().get("meshfed-etcd-client.crt")), StandardCharsets.US_ASCII));
      var key = Pem.decodePrivateKey("key", new String(Base64.getDecoder().decode(s.getData().get("meshfed-etcd-client.key")), StandardCharsets.US_ASCII), null);
      return new io.meshfed.certs.CertifiedKey(certs.get(0), key, certs.subList(1, certs.size()));
    }
  }

  static java.util.Set<String> clusterMeshKeys(String cluster) {
    try (KubernetesClient k = admin(cluster)) {
      Secret s = k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get();
      return s == null || s.getData() == null ? java.util.Set.of() : s.getData().keySet();
    }
  }

  @Test
  @Order(3)
  @DisplayName("each member's cilium-clustermesh Secret names every other member; its etcd user reads the cache, heartbeat and cluster configs, writes nothing, and cannot read meshfed/")
  void clusterMeshSecretAndMemberEtcdUser() throws Exception {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(clusterMeshKeys("c1")).contains("c2", "c3", "meshfed-etcd-client.crt", "meshfed-etcd-client.key", "meshfed-etcd-client-ca.crt").doesNotContain("c1"));
    try (KubernetesClient k = admin("c1")) {
      String config = new String(Base64.getDecoder().decode(k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get().getData().get("c2")), StandardCharsets.UTF_8);
      assertThat(config).contains("endpoints:\n- " + etcd.endpoints().get(0))
          .contains("cert-file: /var/lib/cilium/clustermesh/meshfed-etcd-client.crt");
    }
    try (MeshStore s = root()) {
      s.client().getKVClient().put(io.etcd.jetcd.ByteSequence.from("cilium/.heartbeat", StandardCharsets.UTF_8),
          io.etcd.jetcd.ByteSequence.from("2026-11-26T00:00:00Z", StandardCharsets.UTF_8)).get();
    }
    var c1 = etcdClientOf("c1");
    assertThat(c1.certificate().getSubjectX500Principal().getName()).contains("CN=member-c1");
    try (MeshStore asMember = new MeshStore(new EtcdAccess(etcd.endpoints(), c1, mesh.mesh.bundle()).connect())) {
      assertThat(asMember.get("cilium/.heartbeat")).isPresent();
      // c2's nodes as the sync wrote them (3 seeded nodes)
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(asMember.list("cilium/cache/nodes/v1/c2/")).hasSize(3));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> asMember.get(MeshKeys.MESH)).hasMessageContaining("permission denied");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> asMember.client().getKVClient().put(
          io.etcd.jetcd.ByteSequence.from("cilium/cache/nodes/v1/c1/evil", StandardCharsets.UTF_8), io.etcd.jetcd.ByteSequence.EMPTY).get())
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  @Order(3)
  @DisplayName("refusals: each with its own message, nothing written")
  void refusals() throws Exception {
    String token = newToken(5);
    String before = revision();
    assertThat(join(token, "c1", "c1", "1").err()).contains("cluster-name: \"c1\" is already a member");
    CliRunner.Result sameId = join(token, "c1", "c9", "2");
    assertThat(sameId.err()).contains("cluster-id: \"2\" is already used by member \"c2\"");
    assertThat(sameId.err()).contains("this Kubernetes cluster is already a member as \"c1\"");
    assertThat(sameId.err()).contains("cilium-config cluster-name");
    assertThat(sameId.err()).contains("pod CIDR: \"10.1.0.0/24\" overlaps 10.1.0.0/24 of member \"c1\"");
    assertThat(join(usedToken, "c1", "c9", "9").err()).contains("token: already used");
    assertThat(join(token, "c1", "c9", "256").err()).contains("cluster-id");
    assertThat(join(token, "c1", "c9", "0").err()).contains("cluster-id");
    assertThat(join(token, "c1", "Prod_1", "9").err()).contains("cluster-name");
    assertThat(join(token, "c1", "a".repeat(33), "9").err()).contains("cluster-name");
    assertThat(join(token, "c1", "default", "9").err()).contains("cluster-name");
    CliRunner.Result badHash = new CliRunner(MeshHarness.ENV).run("join", "--controller", mesh.url(), "--token", token,
        "--ca-hash", "sha256:" + "0".repeat(64), "--kubeconfig", sims.cluster("c1").kubeconfig().toString(), "--cluster-name", "c9", "--cluster-id", "9");
    assertThat(badHash.exit()).isEqualTo(1);
    assertThat(badHash.err()).contains("refusing to send the token");
    String forged = token.substring(0, 7) + "0000000000000000";
    assertThat(join(forged, "c1", "c9", "9").err()).contains("secret does not match");
    assertThat(join("zzzzzz.0000000000000000", "c1", "c9", "9").err()).contains("unknown, expired or revoked");
    assertThat(join("not-a-token", "c1", "c9", "9").err()).contains("malformed");
    assertThat(revision()).isEqualTo(before);
  }

  @Test
  @Order(4)
  @DisplayName("a used-up or revoked token, an unreachable member and a kubeconfig without provisioning rights are refused")
  void tokenAndMemberRefusals() throws Exception {
    String once = newToken(1);
    sims.stop("c3");
    try {
      CliRunner.Result unreachable = join(once, "c3", "c3b", "7");
      assertThat(unreachable.exit()).isEqualTo(1);
      assertThat(unreachable.err()).containsIgnoringCase("reach");
    } finally {
      sims.start("c3");
    }
    String revoked = newToken(1);
    assertThat(mesh.cli().run("token", "revoke", revoked.substring(0, 6)).exit()).isZero();
    assertThat(join(revoked, "c1", "c9", "9").err()).contains("unknown, expired or revoked");

    Path viewer = sims.cluster("c1").kubeconfig("viewer");
    CliRunner.Result readonly = new CliRunner(MeshHarness.ENV).run("join", "--controller", mesh.url(), "--token", once, "--ca-hash", caHash,
        "--kubeconfig", viewer.toString(), "--cluster-name", "c1", "--cluster-id", "1");
    assertThat(readonly.exit()).isEqualTo(1);
    assertThat(readonly.err()).contains("kubeconfig lacks the right to create namespaces");
  }

  @Test
  @Order(5)
  @DisplayName("leave removes keys, revokes certificates and the member's objects; the same name then joins again")
  void leaveThenRejoin() throws Exception {
    CliRunner.Result dry = mesh.cli().run("leave", "--cluster", "c2", "--dry-run");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).contains("dry run: nothing changed");
    try (MeshStore s = root()) {
      assertThat(s.cluster("c2")).isPresent();
    }
    io.meshfed.certs.CertifiedKey agentC2;
    try (KubernetesClient k = admin("c2")) {
      Secret s = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
      var certs = Pem.decodeCertificates("tls.crt", new String(Base64.getDecoder().decode(s.getData().get("tls.crt")), StandardCharsets.US_ASCII));
      var key = Pem.decodePrivateKey("tls.key", new String(Base64.getDecoder().decode(s.getData().get("tls.key")), StandardCharsets.US_ASCII), null);
      agentC2 = new io.meshfed.certs.CertifiedKey(certs.get(0), key, certs.subList(1, certs.size()));
    }
    assertThat(whoami(agentC2)).contains("\"commonName\":\"agent.c2\"");
    var c2etcd = etcdClientOf("c2");
    CliRunner.Result leave = mesh.cli().run("leave", "--cluster", "c2", "--kubeconfig", sims.cluster("c2").kubeconfig().toString());
    assertThat(leave.exit()).as(leave.toString()).isZero();
    assertThat(leave.out()).contains("c2 has left the mesh").contains("revoke 3 certificate(s)").contains("delete etcd user member-c2");
    try (MeshStore s = root()) {
      assertThat(s.cluster("c2")).isEmpty();
      assertThat(s.clusterById(2)).isEmpty();
      assertThat(s.list(MeshKeys.REVOKED)).hasSizeGreaterThanOrEqualTo(2);
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(clusterMeshKeys("c1")).contains("c3").doesNotContain("c2"));
    try (KubernetesClient k = admin("c2")) {
      assertThat(k.serviceAccounts().inNamespace("meshfed-system").withName("meshfed-controller").get()).isNull();
      assertThat(k.rbac().clusterRoles().withName("meshfed-member").get()).isNull();
    }
    assertThat(mesh.cli().run("leave", "--cluster", "c2").err()).contains("not a member");
    assertThat(whoami(agentC2)).contains("is revoked");
    try (MeshStore asOldMember = new MeshStore(new EtcdAccess(etcd.endpoints(), c2etcd, mesh.mesh.bundle()).connect())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> asOldMember.get("cilium/.heartbeat")).isInstanceOf(io.meshfed.controller.store.StoreException.class);
    }
    CliRunner.Result again = join(newToken(1), "c2", "c2", "2");
    assertThat(again.exit()).as(again.toString()).isZero();
  }

  @Test
  @Order(6)
  @DisplayName("the controller renews a member's ServiceAccount token before it expires, with the member's own token, and keeps it sealed")
  void credentialsRenewBeforeExpiry() throws Exception {
    try (MeshStore s = root()) {
      var before = s.cluster("c1").orElseThrow().value();
      io.meshfed.certs.SecretBox box = io.meshfed.certs.SecretBox.derive(MeshHarness.passphrase(),
          java.util.Base64.getDecoder().decode(s.mesh().orElseThrow().secretSalt()));
      // 50 minutes later, less than a third of the one-hour token is left.
      Clock later = Clock.offset(Clock.systemUTC(), java.time.Duration.ofMinutes(50));
      var renewer = new io.meshfed.controller.clusters.CredentialRenewer(s, box, later, java.time.Duration.ofHours(1));
      assertThat(renewer.renewDue()).isEqualTo(3);
      var after = s.cluster("c1").orElseThrow().value();
      assertThat(after.credentialExpiry()).isAfter(before.credentialExpiry());
      assertThat(after.credentialsSealed()).isNotEqualTo(before.credentialsSealed()).doesNotContain("token");
      var creds = io.meshfed.controller.member.MemberCredentials.fromJson(new String(
          box.open(after.credentialsSealed(), "c1".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
      new MemberSecretWriter().update("c1", creds, "meshfed-system", "meshfed-agent-tls", java.util.Map.of("probe", new byte[] {1}));
      // Now, nothing is due: a second round renews nothing.
      assertThat(new io.meshfed.controller.clusters.CredentialRenewer(s, box, Clock.systemUTC(), java.time.Duration.ofHours(1)).renewDue()).isZero();
    }
  }

  /** GET /api/v1/whoami with a client certificate; returns the body. */
  static String whoami(io.meshfed.certs.CertifiedKey identity) throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      var client = vertx.createHttpClient(io.meshfed.api.tls.MeshTls.mutualTlsClient(new io.vertx.core.http.HttpClientOptions(), identity, mesh.mesh.bundle()));
      int port = Integer.parseInt(mesh.url().replaceAll(".*:", ""));
      return client.request(io.vertx.core.http.HttpMethod.GET, port, "localhost", "/api/v1/whoami")
          .compose(req -> req.send().compose(r -> r.body())).map(Object::toString)
          .toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
  }
}
