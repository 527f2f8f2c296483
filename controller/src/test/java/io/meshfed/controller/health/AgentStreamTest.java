package io.meshfed.controller.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.MeshHealthGrpcClient;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import io.meshfed.api.health.v1.RefusalCode;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's health stream and health API against scripted agent streams (the real agent's
 * end-to-end run is in e2e): identity from the certificate only, refusals on one stream alone,
 * and the conditions, status exit codes and metrics that follow from what agents report.
 */
@DisplayName("Agents' health streams: identity from the certificate, refusals, conditions, status and metrics")
class AgentStreamTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static Vertx vertx;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    assertThat(mesh.bootstrap(etcd.endpoints()).exit()).isZero();
    mesh.startController(Map.of("MESHFED_REPORT_INTERVAL_SECONDS", "1"));
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3).start();
    for (String c : new String[] {"c1", "c2"}) {
      CliRunner.Result r = mesh.join(sims, c, Integer.parseInt(c.substring(1)));
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  /** The agent certificate join wrote into the member. */
  static CertifiedKey agentIdentity(String cluster) throws Exception {
    return agentIdentity(sims, cluster);
  }

  /** The agent certificate join wrote into {@code cluster} of {@code sims}. */
  static CertifiedKey agentIdentity(SimulatedClusters sims, String cluster) throws Exception {
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null)) {
      Secret s = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
      String crt = new String(Base64.getDecoder().decode(s.getData().get("tls.crt")), StandardCharsets.UTF_8);
      String key = new String(Base64.getDecoder().decode(s.getData().get("tls.key")), StandardCharsets.UTF_8);
      List<java.security.cert.X509Certificate> chain = Pem.decodeCertificates("tls.crt", crt);
      return new CertifiedKey(chain.get(0), Pem.decodePrivateKey("tls.key", key, null), chain.subList(1, chain.size()));
    }
  }

  /** One scripted agent stream: what it sent and what the controller answered. */
  static final class Stream {
    final List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    volatile boolean ended;
    GrpcClientRequest<HealthReport, ControllerMessage> request;
    GrpcClient client;

    void send(HealthReport r) throws Exception {
      vertx.runOnContext(v -> request.write(r));
    }

    void close() {
      vertx.runOnContext(v -> request.end());
    }

    boolean refusedWith(RefusalCode code) {
      return received.stream().anyMatch(m -> m.hasRefusal() && m.getRefusal().getCode() == code);
    }

    boolean acked(long sequence) {
      return received.stream().anyMatch(m -> m.hasAck() && m.getAck().getSequence() == sequence);
    }
  }

  static Stream open(CertifiedKey identity) throws Exception {
    Stream s = new Stream();
    TrustBundle trust = mesh.mesh.bundle();
    HttpClientOptions http = MeshTls.mutualTlsClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true), identity, trust);
    s.client = GrpcClient.client(vertx, HealthReports.clientOptions(), http);
    s.request = s.client.request(SocketAddress.inetSocketAddress(mesh.controller().grpcPort(), "localhost"), MeshHealthGrpcClient.Report)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    s.request.response().onSuccess(resp -> {
      resp.handler(s.received::add);
      resp.endHandler(v -> s.ended = true);
      resp.exceptionHandler(e -> s.ended = true);
    }).onFailure(e -> s.ended = true);
    return s;
  }

  static HealthReport report(long seq, String cluster, int desired, int ready, Instant certNotAfter) {
    return HealthReport.newBuilder().setSequence(seq).setSentAt(System.currentTimeMillis()).setAgentVersion("test").setClusterName(cluster)
        .setKubernetes(KubernetesStatus.newBuilder().setReachable(true).setLatencyMs(3))
        .setCilium(CiliumStatus.newBuilder().setDaemonsetDesired(desired).setDaemonsetReady(ready).setConfigClusterName(cluster))
        .setCounts(ObjectCounts.newBuilder().setIdentities(ObjectCount.newBuilder().setCount(10).setExact(true)))
        .addCertificates(CertificateStatus.newBuilder().setName("tls.crt").setSource(CertificateSource.CERTIFICATE_SOURCE_MOUNTED)
            .setNotAfter(certNotAfter.getEpochSecond()).setSubject("CN=agent." + cluster))
        .build();
  }

  static JsonNode health(String path) throws Exception {
    CliRunner.Result r = mesh.cli().run("status", "-o", "json");
    return new ObjectMapper().readTree(r.out());
  }

  static JsonNode cluster(JsonNode health, String name) {
    for (JsonNode c : health.get("clusters")) {
      if (name.equals(c.get("cluster").asText())) {
        return c;
      }
    }
    throw new AssertionError("no " + name + " in " + health);
  }

  static String condition(JsonNode cluster, String type, String field) {
    for (JsonNode c : cluster.get("conditions")) {
      if (type.equals(c.get("type").asText())) {
        return c.get(field).asText();
      }
    }
    throw new AssertionError("no condition " + type);
  }

  @Test
  @DisplayName("a report is acked, its facts become conditions; Degraded names the DaemonSet; a silent agent goes Unknown; status exits 0/1")
  void reportsBecomeConditions() throws Exception {
    Instant far = Instant.now().plus(Duration.ofDays(300));
    Stream c1 = open(agentIdentity("c1"));
    Stream c2 = open(agentIdentity("c2"));
    c1.send(report(1, "c1", 3, 3, far));
    c2.send(report(1, "c2", 3, 2, far));
    await().atMost(Duration.ofSeconds(30)).until(() -> c1.acked(1) && c2.acked(1));
    // The controller's first message sets the report interval (here 1 s).
    assertThat(c1.received.get(0).getSettings().getReportIntervalSeconds()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      JsonNode h = health("/api/v1/health");
      assertThat(condition(cluster(h, "c1"), "AgentConnected", "status")).isEqualTo("True");
      assertThat(condition(cluster(h, "c1"), "CiliumReady", "status")).isEqualTo("True");
      assertThat(condition(cluster(h, "c1"), "IdentitiesSynced", "status")).isEqualTo("True");
      assertThat(cluster(h, "c1").get("status").asText()).isEqualTo("Healthy");
      assertThat(cluster(h, "c2").get("status").asText()).isEqualTo("Degraded");
      assertThat(h.get("status").asText()).isEqualTo("Degraded");
      assertThat(h.get("reasons").toString()).contains("c2: CiliumReady False (DaemonSetNotReady): cilium DaemonSet 2/3 ready");
    });
    assertThat(mesh.cli().run("status").exit()).as("Degraded mesh").isEqualTo(1);

    // c2 recovers: the mesh is Healthy while both keep reporting; status --wait exits 0.
    c2.send(report(2, "c2", 3, 3, far));
    CliRunner.Result wait = mesh.cli().run("status", "--wait", "--timeout", "60s");
    assertThat(wait.exit()).as(wait.toString()).isZero();
    assertThat(wait.out()).contains("mesh: Healthy").contains("c1").contains("c2");

    // c1's agent stops reporting: after 3 intervals (3 s) AgentConnected is Unknown, the mesh Degraded.
    c1.close();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      c2.send(report(3 + System.nanoTime() % 1000, "c2", 3, 3, far));
      JsonNode h = health("/api/v1/health");
      assertThat(condition(cluster(h, "c1"), "AgentConnected", "status")).isEqualTo("Unknown");
      assertThat(condition(cluster(h, "c2"), "AgentConnected", "status")).isEqualTo("True");
    });
    CliRunner.Result timedOut = mesh.cli().run("status", "--wait", "--timeout", "2s");
    assertThat(timedOut.exit()).isEqualTo(1);
    assertThat(timedOut.err()).contains("still Degraded");
    c2.close();
  }

  @Test
  @DisplayName("impersonation and bad peers are refused on their own stream; the other streams keep working")
  void impersonationRefused() throws Exception {
    Stream honest = open(agentIdentity("c2"));
    Stream liar = open(agentIdentity("c1"));
    liar.send(report(1, "c2", 3, 3, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> liar.refusedWith(RefusalCode.REFUSAL_CODE_CLUSTER_MISMATCH) && liar.ended);

    CertificateIssuer issuer = CertificateIssuer.systemDefault();
    Stream ghost = open(issuer.issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("agent.ghost"), KeyType.EC_P256));
    ghost.send(report(1, "ghost", 1, 1, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> ghost.refusedWith(RefusalCode.REFUSAL_CODE_UNKNOWN_CLUSTER));
    Stream notAgent = open(issuer.issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("admin"), KeyType.EC_P256));
    notAgent.send(report(1, "", 1, 1, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> notAgent.refusedWith(RefusalCode.REFUSAL_CODE_NOT_AUTHORIZED));

    // A malformed report (negative count) is refused with the field named.
    Stream bad = open(agentIdentity("c1"));
    bad.send(report(1, "c1", 3, 3, Instant.now().plus(Duration.ofDays(300))).toBuilder()
        .setCounts(ObjectCounts.newBuilder().setIdentities(ObjectCount.newBuilder().setCount(-5))).build());
    await().atMost(Duration.ofSeconds(30)).until(() -> bad.refusedWith(RefusalCode.REFUSAL_CODE_INVALID_REPORT));
    assertThat(bad.received.stream().filter(ControllerMessage::hasRefusal).findFirst().orElseThrow().getRefusal().getReason())
        .contains("identities");

    honest.send(report(7, "c2", 3, 3, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> honest.acked(7));
    assertThat(honest.ended).isFalse();
    honest.close();
  }

  @Test
  @DisplayName("an oversized message ends that stream (gRPC max message size) and a revoked certificate is refused; others are untouched")
  void oversizedAndRevoked() throws Exception {
    Stream honest = open(agentIdentity("c2"));
    Stream big = open(agentIdentity("c1"));
    HealthReport.Builder huge = report(1, "c1", 3, 3, Instant.now().plus(Duration.ofDays(300))).toBuilder();
    for (int i = 0; i < 900; i++) {
      huge.addPolicies(io.meshfed.api.health.v1.PolicyStatus.newBuilder().setName(String.format("p%03d-", i) + "x".repeat(240))
          .setNamespace("n".repeat(60)).setHash("sha256:" + "0".repeat(64)));
    }
    assertThat(huge.build().getSerializedSize()).isGreaterThan(HealthReports.MAX_MESSAGE_BYTES);
    big.send(huge.build());
    await().atMost(Duration.ofSeconds(30)).until(() -> big.ended);
    assertThat(big.acked(1)).isFalse();

    // c3 joins, its agent certificate is taken, c3 leaves: every serial issued for it is revoked.
    assertThat(mesh.join(sims, "c3", 3).exit()).isZero();
    CertifiedKey c3 = agentIdentity("c3");
    CliRunner.Result left = mesh.cli().run("leave", "--cluster", "c3");
    assertThat(left.exit()).as(left.toString()).isZero();
    Stream revoked = open(c3);
    revoked.send(report(1, "c3", 1, 1, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> revoked.refusedWith(RefusalCode.REFUSAL_CODE_NOT_AUTHORIZED));
    assertThat(revoked.received.stream().filter(ControllerMessage::hasRefusal).findFirst().orElseThrow().getRefusal().getReason())
        .contains("revoked");

    honest.send(report(9, "c2", 3, 3, Instant.now().plus(Duration.ofDays(300))));
    await().atMost(Duration.ofSeconds(30)).until(() -> honest.acked(9));
    honest.close();
  }

  @Test
  @DisplayName("a certificate expiring within 30 days is a warning on a Healthy member; /metrics exposes conditions and expiry")
  void expiringCertificateAndMetrics() throws Exception {
    Stream c1 = open(agentIdentity("c1"));
    Instant soon = Instant.now().plus(Duration.ofDays(12));
    c1.send(report(1, "c1", 2, 2, soon));
    await().atMost(Duration.ofSeconds(30)).until(() -> c1.acked(1));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode c = cluster(health("/api/v1/health"), "c1");
      assertThat(condition(c, "CertificatesValid", "reason")).isEqualTo("ExpiringSoon");
      assertThat(condition(c, "CertificatesValid", "warning")).isEqualTo("true");
      assertThat(c.get("reasons").toString()).contains("warning CertificatesValid (ExpiringSoon)");
    });
    String metrics;
    try (var api = mesh.api()) {
      metrics = api.getText("/metrics");
    }
    assertThat(metrics).contains("meshfed_cluster_condition{condition=\"CiliumReady\",status=\"True\",target_cluster=\"c1\"} 1.0");
    assertThat(metrics).contains("meshfed_certificate_expiry_timestamp_seconds{certificate=\"mounted:tls.crt\",target_cluster=\"c1\"}");
    assertThat(metrics).contains("meshfed_clustermesh_remote_clusters 2.0");
    c1.close();
  }
}
