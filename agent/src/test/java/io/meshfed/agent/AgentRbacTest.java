package io.meshfed.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.config.AgentFlags;
import io.meshfed.agent.testing.SharedClusters;
import io.meshfed.agent.testing.TestController;
import io.meshfed.agent.testing.TestPki;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.certs.LeafSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agent/RBAC.md is exactly what the agent needs: its YAML, applied verbatim to a simulated cluster
 * that authorizes like kube-apiserver, lets the agent (with a ServiceAccount token) collect every
 * section without an error; a ServiceAccount without it gets 403 for each.
 */
class AgentRbacTest {
  static final String NAMESPACE = "meshfed-system";
  @TempDir static Path tmp;
  static TestPki pki;
  static TestController controller;
  static List<HasMetadata> rbac;

  @BeforeAll
  static void setUp() throws IOException {
    pki = new TestPki("c1");
    controller = new TestController(pki.server("localhost", LeafSpec.Kind.SERVER), pki.bundle());
    rbac = rbacFromDoc();
    try (KubernetesClient k = SharedClusters.admin("c1")) {
      k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
      for (String sa : List.of("meshfed-agent", "nobody")) {
        k.serviceAccounts().inNamespace(NAMESPACE).resource(new ServiceAccountBuilder().withNewMetadata().withName(sa)
            .withNamespace(NAMESPACE).endMetadata().build()).create();
      }
      for (HasMetadata object : rbac) {
        k.resource(object).create();
      }
    }
  }

  @AfterAll
  static void tearDown() {
    controller.close();
  }

  /** The objects of the first yaml block of agent/RBAC.md. */
  static List<HasMetadata> rbacFromDoc() throws IOException {
    String doc = Files.readString(Path.of("RBAC.md"));
    int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = doc.substring(start, doc.indexOf("```", start));
    try (KubernetesClient k = SharedClusters.admin("c1")) {
      return k.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }
  }

  private static Path kubeconfigFor(String serviceAccount) throws IOException {
    String token;
    try (KubernetesClient k = SharedClusters.admin("c1")) {
      token = k.serviceAccounts().inNamespace(NAMESPACE).withName(serviceAccount)
          .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
          .getStatus().getToken();
    }
    int port = SharedClusters.get().cluster("c1").port();
    return Files.writeString(tmp.resolve("kubeconfig-" + serviceAccount), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c1
          cluster:
            server: http://127.0.0.1:%d
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: c1
          context: {cluster: c1, user: %s}
        current-context: c1
        """.formatted(port, serviceAccount, token, serviceAccount));
  }

  private static HealthReport collectAs(String serviceAccount) throws IOException {
    Path certDir = pki.agentCertDir(tmp.resolve("certs-" + serviceAccount), "c1");
    AgentConfig config = AgentFlags.parse(List.of("--controller", controller.address(), "--cert-dir", certDir.toString(),
        "--kubeconfig", kubeconfigFor(serviceAccount).toString(), "--interval", "1"), Map.of(), "test");
    controller.clear();
    Agent agent = Agent.start(config, AgentCredentials.load(certDir), Agent.Options.defaults(Map.of(), "test"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> controller.latest("agent.c1") != null
          && controller.latest("agent.c1").hasCounts() && controller.latest("agent.c1").hasEtcd());
      return controller.latest("agent.c1");
    } finally {
      agent.close();
    }
  }

  @Test
  @DisplayName("RBAC.md holds exactly the agreed read-only set: no write verb, Secrets and ConfigMaps only by name")
  void documentedSet() {
    assertThat(rbac).extracting(o -> o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
        + o.getMetadata().getName()).containsExactly("ClusterRole meshfed-agent", "ClusterRoleBinding meshfed-agent",
        "Role kube-system/meshfed-agent", "RoleBinding kube-system/meshfed-agent");
    ClusterRole clusterRole = (ClusterRole) rbac.get(0);
    assertThat(clusterRole.getRules()).extracting(AgentRbacTest::describe).containsExactly(
        "[''] ['nodes', 'services'] [] [] ['get', 'list', 'watch']",
        "['discovery.k8s.io'] ['endpointslices'] [] [] ['get', 'list', 'watch']",
        "['cilium.io'] ['ciliumidentities', 'ciliumendpoints', 'ciliumnodes', 'ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'] [] [] ['get', 'list']",
        "[] [] [] ['/version', '/readyz'] ['get']");
    Role role = (Role) rbac.get(2);
    assertThat(role.getRules()).extracting(AgentRbacTest::describe).containsExactly(
        "['apps'] ['daemonsets'] ['cilium'] [] ['get']",
        "[''] ['configmaps'] ['cilium-config'] [] ['get']",
        "[''] ['secrets'] ['cilium-clustermesh'] [] ['get']");
    assertThat(rbac).allSatisfy(o -> assertThat(o.getMetadata().getName()).isEqualTo("meshfed-agent"));
  }

  /** A rule as one line; strings quoted so that the core group "" shows. */
  private static String describe(PolicyRule r) {
    return String.join(" ", List.of(quoted(r.getApiGroups()), quoted(r.getResources()), quoted(r.getResourceNames()),
        quoted(r.getNonResourceURLs()), quoted(r.getVerbs())));
  }

  private static String quoted(List<String> values) {
    return values.stream().map(v -> "'" + v + "'").toList().toString();
  }

  @Test
  @DisplayName("with exactly RBAC.md's rights the agent collects every section without a Kubernetes error")
  void enough() throws IOException {
    HealthReport report = collectAs("meshfed-agent");
    assertThat(report.getKubernetes().getError()).isEmpty();
    assertThat(report.getCilium().getError()).isEmpty();
    assertThat(report.getCilium().getDaemonsetReady()).isEqualTo(SharedClusters.NODES);
    assertThat(report.getNodes().getError()).isEmpty();
    assertThat(report.getNodes().getTotal()).isEqualTo(SharedClusters.NODES);
    assertThat(List.of(report.getCounts().getIdentities(), report.getCounts().getEndpoints(), report.getCounts().getCiliumNodes(),
        report.getCounts().getGlobalServices())).allSatisfy(c -> assertThat(c.getError()).isEmpty());
    assertThat(report.getCounts().getEndpoints().getCount()).isEqualTo(SharedClusters.ENDPOINTS);
    assertThat(report.getPoliciesError()).isEmpty();
    // The Secret may or may not exist (other test classes create it); a 403 would show here either way.
    assertThat(report.getCertificatesError()).doesNotContain("403");
    assertThat(report.getEtcd().getError()).doesNotContain("403");
  }

  @Test
  @DisplayName("without the bindings every Kubernetes read is refused (403) and reported as that section's error")
  void needed() throws IOException {
    HealthReport report = collectAs("nobody");
    assertThat(report.getKubernetes().getReachable()).isTrue();
    assertThat(report.getCilium().getError()).contains("HTTP 403");
    assertThat(report.getNodes().getError()).contains("HTTP 403");
    assertThat(report.getCounts().getIdentities().getError()).contains("HTTP 403");
    assertThat(report.getCounts().getGlobalServices().getError()).contains("HTTP 403");
    assertThat(report.getPoliciesError()).contains("HTTP 403");
    assertThat(report.getCertificatesError()).contains("HTTP 403");
  }
}
