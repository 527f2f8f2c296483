package io.meshfed.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.config.AgentFlags;
import io.meshfed.agent.report.ReportStream;
import io.meshfed.agent.testing.SharedClusters;
import io.meshfed.agent.testing.TestController;
import io.meshfed.agent.testing.TestPki;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.PolicyKind;
import io.meshfed.api.health.v1.PolicyStatus;
import io.meshfed.api.health.v1.Refusal;
import io.meshfed.api.health.v1.RefusalCode;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent against simulated clusters and a test controller (Vert.x gRPC, mTLS with a CA minted
 * here, FIPS approved-only). Report interval 1 s unless a test needs a long one to tell an
 * on-change report from an interval report; every wait is an Awaitility wait with a generous
 * bound, never a sleep.
 */
class AgentReportingTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumnetworkpolicies").withKind("CiliumNetworkPolicy").withNamespaced(true).build();
  static final ResourceDefinitionContext CCNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumclusterwidenetworkpolicies").withKind("CiliumClusterwideNetworkPolicy").withNamespaced(false).build();

  @TempDir static Path tmp;
  static TestPki pki;
  static TestController controller;
  static CertifiedKey expiredEtcdClient;
  static CertifiedKey expiringCert;
  static final AtomicInteger dirs = new AtomicInteger();
  final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void setUp() {
    Fips.installAndCheck();
    pki = new TestPki("c1", "c2", "other");
    controller = new TestController(pki.server("localhost", LeafSpec.Kind.SERVER), pki.bundle());
    expiredEtcdClient = pki.expiredClient("c1", "member-c1", Duration.ofDays(2));
    expiringCert = pki.client("c1", "remote-soon", Duration.ofHours(20));
    try (KubernetesClient k = SharedClusters.admin("c1")) {
      Map<String, String> data = new LinkedHashMap<>();
      data.put("c2", base64("endpoints:\n- https://127.0.0.1:1\n"
          + "trusted-ca-file: /var/lib/cilium/clustermesh/meshfed-etcd-client-ca.crt\n"
          + "cert-file: /var/lib/cilium/clustermesh/meshfed-etcd-client.crt\n"
          + "key-file: /var/lib/cilium/clustermesh/meshfed-etcd-client.key\n"));
      data.put("meshfed-etcd-client-ca.crt", base64(pki.bundle().toPem()));
      data.put("meshfed-etcd-client.crt", base64(Pem.encodeCertificates(expiredEtcdClient.certificateAndChain())));
      data.put("meshfed-etcd-client.key", base64(Pem.encodePrivateKeyInMemory(expiredEtcdClient.privateKey())));
      data.put("remote-soon.crt", base64(Pem.encodeCertificate(expiringCert.certificate())));
      k.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName("cilium-clustermesh")
          .withNamespace("kube-system").endMetadata().withData(data).build()).create();
      k.genericKubernetesResources(CNP).inNamespace("ns-0").resource(policy("allow-mesh", "ns-0", "CiliumNetworkPolicy", true,
          Map.of("meshfed.io/generation", "4", "meshfed.io/hash", "sha256:abc"))).create();
      k.genericKubernetesResources(CNP).inNamespace("ns-1").resource(policy("hand-made", "ns-1", "CiliumNetworkPolicy", false,
          Map.of())).create();
      k.genericKubernetesResources(CCNP).resource(policy("mesh-deny", null, "CiliumClusterwideNetworkPolicy", true,
          Map.of("meshfed.io/generation", "x"))).create();
    }
  }

  private static GenericKubernetesResource policy(String name, String namespace, String kind, boolean managed, Map<String, String> annotations) {
    return new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind(kind)
        .withNewMetadata().withName(name).withNamespace(namespace).withAnnotations(annotations)
        .withLabels(managed ? Map.of("app.kubernetes.io/managed-by", "meshfed") : Map.of("app", "x")).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("endpointSelector", Map.of()))).build();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stopAgents() {
    agents.forEach(Agent::close);
    agents.clear();
    controller.clear();
  }

  @AfterAll
  static void tearDown() {
    controller.close();
  }

  /** Starts an agent whose certificate says {@code certCluster}, against simulated cluster {@code simCluster}. */
  private Agent start(String certCluster, String simCluster, int intervalSeconds) {
    return start(pki.agentCertDir(tmp.resolve("agent-" + dirs.incrementAndGet()), certCluster), simCluster, intervalSeconds);
  }

  private Agent start(Path dir, String simCluster, int intervalSeconds) {
    AgentConfig config = AgentFlags.parse(List.of("--controller", controller.address(), "--cert-dir", dir.toString(),
        "--kubeconfig", SharedClusters.kubeconfig(simCluster).toString(), "--interval", Integer.toString(intervalSeconds)), Map.of(), "test");
    Agent agent = Agent.start(config, AgentCredentials.load(dir), Agent.Options.defaults(Map.of(), "test")
        .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)));
    agents.add(agent);
    return agent;
  }

  /** The first report from {@code peer} that has every section collected. */
  private static HealthReport awaitComplete(String peer) {
    await().atMost(WAIT).until(() -> controller.reportsFrom(peer).stream().anyMatch(r -> r.report().hasCounts() && r.report().hasEtcd()));
    return controller.reportsFrom(peer).stream().map(TestController.Received::report).filter(r -> r.hasCounts() && r.hasEtcd())
        .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("the agent connects with its client certificate (the server sees CN agent.c1) and reports what the simulated cluster holds")
  void reportsSeededCluster() {
    start("c1", "c1", 1);
    HealthReport report = awaitComplete("agent.c1");

    assertThat(controller.streams()).first().extracting(TestController.Opened::peer).isEqualTo("agent.c1");
    assertThat(HealthReports.validate(report)).isEmpty();
    assertThat(report.getSequence()).isPositive();
    assertThat(report.getAgentVersion()).isEqualTo("test");
    assertThat(report.getClusterName()).isEqualTo("c1");
    assertThat(report.getKubernetes().getReachable()).isTrue();
    assertThat(report.getKubernetes().getError()).isEmpty();
    assertThat(report.getCilium().getDaemonsetDesired()).isEqualTo(SharedClusters.NODES);
    assertThat(report.getCilium().getDaemonsetReady()).isEqualTo(SharedClusters.NODES);
    assertThat(report.getCilium().getConfigClusterName()).isEqualTo("c1");
    assertThat(report.getCilium().getConfigClusterId()).isEqualTo(1);
    assertThat(report.getCilium().getError()).isEmpty();
    assertThat(report.getNodes().getReady()).isEqualTo(SharedClusters.NODES);
    assertThat(report.getNodes().getTotal()).isEqualTo(SharedClusters.NODES);
    assertThat(report.getCounts().getIdentities()).isEqualTo(exact(SharedClusters.IDENTITIES));
    assertThat(report.getCounts().getEndpoints()).isEqualTo(exact(SharedClusters.ENDPOINTS));
    assertThat(report.getCounts().getCiliumNodes()).isEqualTo(exact(SharedClusters.NODES));
    assertThat(report.getCounts().getGlobalServices()).isEqualTo(exact(SharedClusters.GLOBAL_SERVICES));
    // etcd from the Secret: configured, but its endpoint is a closed port.
    assertThat(report.getEtcd().getConfigured()).isTrue();
    assertThat(report.getEtcd().getReachable()).isFalse();
    assertThat(report.getEtcd().getEndpoint()).isEqualTo("https://127.0.0.1:1");
    assertThat(report.getEtcd().getError()).startsWith("https://127.0.0.1:1: ");
  }

  private static ObjectCount exact(int count) {
    return ObjectCount.newBuilder().setCount(count).setExact(true).build();
  }

  @Test
  @DisplayName("certificate notAfter is reported for the mounted chain and for every certificate in cilium-clustermesh, expired and expiring ones included")
  void certificateExpiry() {
    start("c1", "c1", 1);
    HealthReport report = awaitComplete("agent.c1");
    Map<String, CertificateStatus> byName = new LinkedHashMap<>();
    report.getCertificatesList().forEach(c -> byName.put(c.getSource() + "/" + c.getName(), c));
    assertThat(byName.keySet()).containsExactly(
        "CERTIFICATE_SOURCE_MOUNTED/tls.crt", "CERTIFICATE_SOURCE_MOUNTED/tls.crt#1", "CERTIFICATE_SOURCE_MOUNTED/ca.crt",
        "CERTIFICATE_SOURCE_SECRET/meshfed-etcd-client-ca.crt",
        "CERTIFICATE_SOURCE_SECRET/meshfed-etcd-client.crt", "CERTIFICATE_SOURCE_SECRET/meshfed-etcd-client.crt#1",
        "CERTIFICATE_SOURCE_SECRET/remote-soon.crt");
    assertThat(byName.get("CERTIFICATE_SOURCE_MOUNTED/tls.crt").getSubject()).contains("CN=agent.c1");
    CertificateStatus expired = byName.get("CERTIFICATE_SOURCE_SECRET/meshfed-etcd-client.crt");
    assertThat(expired.getNotAfter()).isEqualTo(expiredEtcdClient.certificate().getNotAfter().toInstant().getEpochSecond());
    assertThat(expired.getNotAfter()).isLessThan(report.getSentAt() / 1000);
    CertificateStatus expiring = byName.get("CERTIFICATE_SOURCE_SECRET/remote-soon.crt");
    assertThat(expiring.getNotAfter()).isEqualTo(expiringCert.certificate().getNotAfter().toInstant().getEpochSecond());
    assertThat(expiring.getNotAfter() - report.getSentAt() / 1000).isBetween(0L, Duration.ofDays(1).toSeconds());
    assertThat(expiring.getSource()).isEqualTo(CertificateSource.CERTIFICATE_SOURCE_SECRET);
    assertThat(report.getCertificatesError()).isEmpty();
  }

  @Test
  @DisplayName("meshfed-managed policies are reported with generation and hash; a malformed annotation is that policy's error; others are ignored")
  void managedPolicies() {
    start("c1", "c1", 1);
    HealthReport report = awaitComplete("agent.c1");
    assertThat(report.getPoliciesList()).containsExactly(
        PolicyStatus.newBuilder().setName("allow-mesh").setNamespace("ns-0").setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY)
            .setGeneration(4).setHash("sha256:abc").build(),
        PolicyStatus.newBuilder().setName("mesh-deny").setKind(PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY)
            .setError("annotation meshfed.io/generation \"x\" is not a non-negative integer; annotation meshfed.io/hash is missing").build());
    assertThat(report.getPoliciesError()).isEmpty();
    assertThat(report.getPoliciesTruncated()).isFalse();
  }

  @Test
  @DisplayName("reports arrive at the interval on one stream, with contiguous sequence numbers")
  void reportsAtTheInterval() {
    start("c1", "c1", 1);
    await().atMost(WAIT).until(() -> controller.reportsFrom("agent.c1").size() >= 5);
    List<HealthReport> reports = controller.reportsFrom("agent.c1").stream().map(TestController.Received::report).toList();
    for (int i = 1; i < reports.size(); i++) {
      assertThat(reports.get(i).getSequence()).isEqualTo(reports.get(i - 1).getSequence() + 1);
      assertThat(reports.get(i).getSentAt()).isGreaterThanOrEqualTo(reports.get(i - 1).getSentAt());
    }
    assertThat(controller.streams()).hasSize(1);
    assertThat(controller.reportsFrom("agent.c1")).allMatch(r -> r.stream() == 1);
  }

  @Test
  @DisplayName("a changed DaemonSet ready count is reported at once, long before the next interval report")
  void reportsAtOnceOnChange() {
    start("c2", "c2", 30);
    awaitComplete("agent.c2");
    try (KubernetesClient k = SharedClusters.admin("c2")) {
      DaemonSet ds = k.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      ds.getStatus().setNumberReady(SharedClusters.NODES - 1);
      k.apps().daemonSets().inNamespace("kube-system").resource(ds).updateStatus();
      try {
        await().atMost(WAIT).until(() -> controller.latest("agent.c2").getCilium().getDaemonsetReady() == SharedClusters.NODES - 1);
        List<TestController.Received> reports = controller.reportsFrom("agent.c2");
        HealthReport changed = reports.get(reports.size() - 1).report();
        HealthReport before = reports.get(reports.size() - 2).report();
        assertThat(changed.getSentAt() - before.getSentAt()).isLessThan(Duration.ofSeconds(30).toMillis());
        assertThat(changed.getCilium().getDaemonsetDesired()).isEqualTo(SharedClusters.NODES);
      } finally {
        DaemonSet again = k.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
        again.getStatus().setNumberReady(SharedClusters.NODES);
        k.apps().daemonSets().inNamespace("kube-system").resource(again).updateStatus();
      }
    }
  }

  @Test
  @DisplayName("Settings from the controller change the interval: from 30 s to 1 s, reports then come every second")
  void settingsChangeTheInterval() {
    controller.settingsOnOpen(1);
    Agent agent = start("c1", "c1", 30);
    await().atMost(WAIT).until(() -> agent.interval().equals(Duration.ofSeconds(1)));
    awaitComplete("agent.c1");
    int seen = controller.reportsFrom("agent.c1").size();
    // At 30 s nothing more would come for half a minute; at 1 s five more come within seconds.
    await().atMost(Duration.ofSeconds(25)).until(() -> controller.reportsFrom("agent.c1").size() >= seen + 5);
  }

  @Test
  @DisplayName("the controller going away and coming back on the same port: the agent reconnects and reports again")
  void reconnects() {
    Agent agent = start("c1", "c1", 1);
    await().atMost(WAIT).until(() -> !controller.reportsFrom("agent.c1").isEmpty());
    controller.stop();
    await().atMost(WAIT).until(() -> !agent.status().open());
    controller.start();
    await().atMost(WAIT).until(() -> controller.reportsFrom("agent.c1").stream().anyMatch(r -> r.stream() > 1));
    assertThat(agent.status().connects()).isGreaterThanOrEqualTo(2);
    assertThat(controller.streams()).allMatch(s -> s.peer().equals("agent.c1"));
  }

  @Test
  @DisplayName("a Refusal is logged (code and reason) and the agent reconnects only after its backoff and the refusal's retry-after")
  void refusalLoggedAndBackedOff() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(ReportStream.class);
    logs.start();
    logger.addAppender(logs);
    try {
      controller.refuseWith(Refusal.newBuilder().setCode(RefusalCode.REFUSAL_CODE_UNKNOWN_CLUSTER).setReason("no member c1")
          .setRetryAfterSeconds(2).build());
      Agent agent = start("c1", "c1", 1);
      await().atMost(WAIT).until(() -> agent.status().refusals() >= 1);
      assertThat(agent.status().lastRefusal()).isEqualTo("REFUSAL_CODE_UNKNOWN_CLUSTER: no member c1");
      await().atMost(WAIT).until(() -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("op=report.refused")));
      String line = logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("op=report.refused")).findFirst().orElseThrow();
      assertThat(line).startsWith("cluster=c1 op=report.refused").contains("code=REFUSAL_CODE_UNKNOWN_CLUSTER", "reason=\"no member c1\"",
          "retryAfterSeconds=2");

      controller.refuseWith(null);
      await().atMost(WAIT).until(() -> !controller.reportsFrom("agent.c1").isEmpty());
      List<TestController.Opened> streams = controller.streams();
      assertThat(streams.size()).isGreaterThanOrEqualTo(2);
      for (int i = 1; i < streams.size(); i++) {
        assertThat(Duration.between(streams.get(i - 1).at(), streams.get(i).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
      }
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  @DisplayName("renewed certificate files (the controller rewrote the Secret) are picked up: the agent reconnects with them at once")
  void renewedCertificates() {
    Path dir = pki.agentCertDir(tmp.resolve("agent-" + dirs.incrementAndGet()), "c1");
    Agent agent = start(dir, "c1", 1);
    await().atMost(WAIT).until(() -> !controller.reportsFrom("agent.c1").isEmpty());
    CertifiedKey renewed = pki.client("c1", "agent.c1", Duration.ofDays(200));
    long renewedNotAfter = renewed.certificate().getNotAfter().toInstant().getEpochSecond();
    pki.writeCertDir(dir, renewed);
    await().atMost(WAIT).until(() -> controller.reportsFrom("agent.c1").stream().anyMatch(r -> r.stream() > 1
        && r.report().getCertificatesList().stream().anyMatch(c -> c.getName().equals("tls.crt") && c.getNotAfter() == renewedNotAfter)));
    assertThat(agent.status().connects()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a cilium-config cluster-name other than the certificate's cluster is reported as an error")
  void clusterNameMismatch() {
    start("other", "c1", 1);
    await().atMost(WAIT).until(() -> controller.latest("agent.other") != null && controller.latest("agent.other").hasCilium());
    HealthReport report = controller.latest("agent.other");
    assertThat(report.getClusterName()).isEqualTo("other");
    assertThat(report.getCilium().getConfigClusterName()).isEqualTo("c1");
    assertThat(report.getCilium().getError()).isEqualTo("cilium-config cluster-name \"c1\" differs from this agent's certificate"
        + " (agent.other): Cilium and the mesh disagree on this cluster's name");
  }
}
