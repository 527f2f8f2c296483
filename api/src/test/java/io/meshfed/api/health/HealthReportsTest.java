package io.meshfed.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.health.v1.Ack;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.MeshHealthGrpcClient;
import io.meshfed.api.health.v1.MeshHealthGrpcService;
import io.meshfed.api.health.v1.NodeStatus;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import io.meshfed.api.health.v1.PolicyKind;
import io.meshfed.api.health.v1.PolicyStatus;
import io.meshfed.api.health.v1.Refusal;
import io.meshfed.api.health.v1.RefusalCode;
import io.vertx.grpc.client.GrpcClientOptions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HealthReportsTest {

  /** A report as a healthy member's agent sends it. */
  static HealthReport.Builder valid() {
    ObjectCount exact = ObjectCount.newBuilder().setCount(10).setExact(true).build();
    return HealthReport.newBuilder()
        .setSequence(7)
        .setSentAt(1_760_000_000_000L)
        .setAgentVersion("0.1.0")
        .setClusterName("c1")
        .setAgentStartedAt(1_759_999_000_000L)
        .setKubernetes(KubernetesStatus.newBuilder().setReachable(true).setLatencyMs(4).setVersion("v1.31.2"))
        .setCilium(CiliumStatus.newBuilder().setDaemonsetDesired(3).setDaemonsetReady(3).setConfigClusterName("c1").setConfigClusterId(1))
        .setNodes(NodeStatus.newBuilder().setReady(3).setTotal(3))
        .setCounts(ObjectCounts.newBuilder().setIdentities(exact).setEndpoints(exact).setCiliumNodes(exact).setGlobalServices(exact))
        .addCertificates(CertificateStatus.newBuilder().setName("tls.crt").setSource(CertificateSource.CERTIFICATE_SOURCE_MOUNTED)
            .setNotAfter(1_790_000_000L).setSubject("CN=agent.c1"))
        .addPolicies(PolicyStatus.newBuilder().setName("allow-dns").setNamespace("kube-system")
            .setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY).setGeneration(3).setHash("sha256:ab"))
        .addPolicies(PolicyStatus.newBuilder().setName("mesh.default-deny")
            .setKind(PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY).setGeneration(1).setHash("sha256:cd"))
        .setEtcd(EtcdStatus.newBuilder().setConfigured(true).setReachable(true).setHandshakeMs(12).setHeartbeatAgeSeconds(20)
            .setEndpoint("https://etcd.mesh:2379"));
  }

  private static List<String> fields(HealthReport report) {
    return HealthReports.validate(report).stream().map(Finding::field).toList();
  }

  @Test
  @DisplayName("a complete healthy report, and a first report with nothing collected yet, have no findings")
  void validReportsPass() {
    assertThat(HealthReports.validate(valid().build())).isEmpty();
    assertThat(HealthReports.validate(HealthReport.newBuilder().setSequence(1).setSentAt(1).setAgentVersion("dev").build())).isEmpty();
  }

  @Test
  @DisplayName("negative counts, latencies and node numbers are findings naming the field path")
  void negativeNumbersRefused() {
    HealthReport.Builder b = valid();
    b.getCountsBuilder().getEndpointsBuilder().setCount(-1);
    b.getKubernetesBuilder().setLatencyMs(-5);
    b.getCiliumBuilder().setDaemonsetReady(-1);
    b.getNodesBuilder().setReady(4).setTotal(3);
    b.getEtcdBuilder().setHandshakeMs(-1).setHeartbeatAgeSeconds(-2);
    assertThat(fields(b.build())).containsExactly("kubernetes.latency_ms", "cilium.daemonset_ready", "nodes.ready",
        "counts.endpoints.count", "etcd.handshake_ms", "etcd.heartbeat_age_seconds");
    assertThat(HealthReports.validate(b.build()).get(0).message()).isEqualTo("kubernetes.latency_ms: \"-5\" must not be negative");
  }

  @Test
  @DisplayName("sequence 0, no sent_at, no agent_version and an invalid cluster_name are refused")
  void headerRules() {
    HealthReport report = valid().setSequence(0).setSentAt(0).setAgentVersion("").setClusterName("Prod_1").build();
    assertThat(fields(report)).containsExactly("sequence", "sent_at", "agent_version", "cluster_name");
  }

  @Test
  @DisplayName("policies: object names, namespace by kind, a known kind and a non-negative generation")
  void policyRules() {
    HealthReport report = valid().clearPolicies()
        .addPolicies(PolicyStatus.newBuilder().setName("Bad_Name").setNamespace("ns").setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY))
        .addPolicies(PolicyStatus.newBuilder().setName("p").setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY))
        .addPolicies(PolicyStatus.newBuilder().setName("p").setNamespace("ns").setKind(PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY))
        .addPolicies(PolicyStatus.newBuilder().setName("p").setNamespace("ns").setGeneration(-1))
        .addPolicies(PolicyStatus.newBuilder().setName("p").setNamespace("ns").setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY)
            .setHash("x".repeat(HealthReports.MAX_HASH_CHARS + 1)))
        .build();
    assertThat(fields(report)).containsExactly("policies[0].name", "policies[1].namespace", "policies[2].namespace",
        "policies[3].kind", "policies[3].generation", "policies[4].hash");
  }

  @Test
  @DisplayName("certificates need a name, a known source and a notAfter; lists are capped")
  void certificateRules() {
    HealthReport.Builder b = valid().clearCertificates()
        .addCertificates(CertificateStatus.newBuilder().setSource(CertificateSource.CERTIFICATE_SOURCE_SECRET).setNotAfter(1))
        .addCertificates(CertificateStatus.newBuilder().setName("a").setNotAfter(1))
        .addCertificates(CertificateStatus.newBuilder().setName("b").setSource(CertificateSource.CERTIFICATE_SOURCE_SECRET));
    assertThat(fields(b.build())).containsExactly("certificates[0].name", "certificates[1].source", "certificates[2].not_after");

    HealthReport.Builder many = valid().clearCertificates();
    for (int i = 0; i <= HealthReports.MAX_CERTIFICATES; i++) {
      many.addCertificates(CertificateStatus.newBuilder().setName("c" + i).setSource(CertificateSource.CERTIFICATE_SOURCE_SECRET).setNotAfter(1));
    }
    assertThat(fields(many.build())).containsExactly("certificates");
  }

  @Test
  @DisplayName("error fields must be one line of bounded length; errorText makes any text so")
  void errorTexts() {
    HealthReport report = valid().setCilium(CiliumStatus.newBuilder().setError("a\nb")).setPoliciesError("x".repeat(2000)).build();
    assertThat(fields(report)).containsExactly("cilium.error", "policies_error");

    assertThat(HealthReports.errorText(" connection refused\n  at foo\r\nbar ")).isEqualTo("connection refused; at foo; bar");
    assertThat(HealthReports.errorText(null)).isEmpty();
    assertThat(HealthReports.errorText("y".repeat(5000))).hasSize(HealthReports.MAX_ERROR_CHARS).endsWith("...");
  }

  @Test
  @DisplayName("a report over the message-size limit is a finding; trimToFit drops trailing policies, then certificates, and says so")
  void sizeLimit() {
    HealthReport.Builder big = valid().clearPolicies();
    for (int i = 0; i < HealthReports.MAX_POLICIES; i++) {
      big.addPolicies(PolicyStatus.newBuilder().setName("policy-" + i + "-" + "n".repeat(200)).setNamespace("namespace-" + i % 7)
          .setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY).setGeneration(i).setHash("sha256:" + "h".repeat(64)));
    }
    HealthReport report = big.build();
    assertThat(HealthReports.fits(report)).isFalse();
    assertThat(fields(report)).containsExactly("report");

    HealthReport trimmed = HealthReports.trimToFit(report);
    assertThat(HealthReports.fits(trimmed)).isTrue();
    assertThat(HealthReports.validate(trimmed)).isEmpty();
    assertThat(trimmed.getPoliciesTruncated()).isTrue();
    assertThat(trimmed.getPoliciesCount()).isBetween(HealthReports.MAX_POLICIES / 2, HealthReports.MAX_POLICIES - 1);
    assertThat(trimmed.getPolicies(0)).isEqualTo(report.getPolicies(0));
    assertThat(trimmed.getCertificatesCount()).isEqualTo(1);
    assertThat(HealthReports.trimToFit(valid().build())).isEqualTo(valid().build());
  }

  @Test
  @DisplayName("the limit is the gRPC default on both ends, and the option helpers set it")
  void sharedMessageSize() {
    assertThat(HealthReports.MAX_MESSAGE_BYTES).isEqualTo(256 * 1024);
    assertThat((long) HealthReports.MAX_MESSAGE_BYTES).isEqualTo(GrpcClientOptions.DEFAULT_MAX_MESSAGE_SIZE);
    assertThat(HealthReports.serverOptions().getMaxMessageSize()).isEqualTo(HealthReports.MAX_MESSAGE_BYTES);
    assertThat(HealthReports.clientOptions().getMaxMessageSize()).isEqualTo(HealthReports.MAX_MESSAGE_BYTES);
  }

  @Test
  @DisplayName("the cluster of an agent certificate comes from its CN agent.<cluster>; anything else is not an agent")
  void agentCommonName() {
    assertThat(HealthReports.agentCommonName("c1")).isEqualTo("agent.c1");
    assertThat(HealthReports.clusterOfAgent("agent.c1")).contains("c1");
    assertThat(HealthReports.clusterOfAgent("agent.eu-west-1")).contains("eu-west-1");
    assertThat(HealthReports.clusterOfAgent("remote-c1")).isEmpty();
    assertThat(HealthReports.clusterOfAgent("agent.")).isEmpty();
    assertThat(HealthReports.clusterOfAgent("agent.Bad_Name")).isEmpty();
    assertThat(HealthReports.clusterOfAgent(null)).isEmpty();
  }

  @Test
  @DisplayName("wire round trip of every message, and the generated stub names both sides use")
  void wireRoundTrip() throws Exception {
    HealthReport report = valid().build();
    assertThat(HealthReport.parseFrom(report.toByteArray())).isEqualTo(report);
    ControllerMessage refusal = ControllerMessage.newBuilder()
        .setRefusal(Refusal.newBuilder().setCode(RefusalCode.REFUSAL_CODE_UNKNOWN_CLUSTER).setReason("no member c9").setRetryAfterSeconds(60))
        .build();
    assertThat(ControllerMessage.parseFrom(refusal.toByteArray()).getMessageCase()).isEqualTo(ControllerMessage.MessageCase.REFUSAL);
    ControllerMessage ack = ControllerMessage.newBuilder().setAck(Ack.newBuilder().setSequence(7)).build();
    assertThat(ControllerMessage.parseFrom(ack.toByteArray()).getAck().getSequence()).isEqualTo(7);
    assertThat(MeshHealthGrpcService.Report.fullMethodName()).isEqualTo("meshfed.health.v1.MeshHealth/Report");
    assertThat(MeshHealthGrpcClient.Report.fullMethodName()).isEqualTo("meshfed.health.v1.MeshHealth/Report");
  }
}
