package io.meshfed.charts;

import static io.meshfed.charts.Manifests.at;
import static io.meshfed.charts.Manifests.container;
import static io.meshfed.charts.Manifests.env;
import static io.meshfed.charts.Manifests.kind;
import static io.meshfed.charts.Manifests.map;
import static io.meshfed.charts.Manifests.maps;
import static io.meshfed.charts.Manifests.one;
import static io.meshfed.charts.Manifests.podSpec;
import static io.meshfed.charts.Manifests.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The agent chart: the process contract, its exact RBAC, and the optional etcd gRPC proxy. */
class AgentChartTest {
  private static final String FULLNAME = "mf-meshfed-agent";
  private static final String PROXY = FULLNAME + "-etcd-proxy";
  private static final String WITH_PROXY = """
      etcdProxy:
        enabled: true
        endpoints: ["https://etcd-0.mesh.example:2379", "https://etcd-1.mesh.example:2379"]
      """;

  /**
   * The agent's rights, cluster-wide and in kube-system together: read-only, nothing else.
   * agent/RBAC.md documents the same set, and {@link #rbacEqualsTheAgentsDocument} holds the two
   * equal once that document exists; a change here is a change to that document too.
   */
  static final Set<RbacAccess> DOCUMENTED = documented();

  private static Set<RbacAccess> documented() {
    Set<RbacAccess> set = new TreeSet<>();
    for (String verb : List.of("get", "list", "watch")) {
      set.add(new RbacAccess("", "nodes", "", verb));
      set.add(new RbacAccess("", "services", "", verb));
      set.add(new RbacAccess("discovery.k8s.io", "endpointslices", "", verb));
    }
    for (String resource : List.of("ciliumidentities", "ciliumendpoints", "ciliumnodes", "ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies")) {
      set.add(new RbacAccess("cilium.io", resource, "", "get"));
      set.add(new RbacAccess("cilium.io", resource, "", "list"));
    }
    set.add(new RbacAccess("", "/version", "", "get"));
    set.add(new RbacAccess("", "/readyz", "", "get"));
    set.add(new RbacAccess("apps", "daemonsets", "cilium", "get"));
    set.add(new RbacAccess("", "configmaps", "cilium-config", "get"));
    set.add(new RbacAccess("", "secrets", "cilium-clustermesh", "get"));
    return set;
  }

  private static Set<RbacAccess> rendered(List<Map<String, Object>> objects) {
    Set<RbacAccess> all = new TreeSet<>();
    objects.stream().filter(o -> kind(o).equals("ClusterRole") || kind(o).equals("Role")).forEach(r -> all.addAll(RbacAccess.of(r)));
    return all;
  }

  @Test
  void runsTheAgentWithItsFlagsAndCertificates() {
    List<Map<String, Object>> objects = Charts.render(Charts.AGENT, "reportInterval: 30\n");
    Map<String, Object> d = one(objects, "Deployment", FULLNAME);
    assertThat(at(d, "spec.replicas")).isEqualTo(1);
    Map<String, Object> c = container(d, "agent");
    assertThat(c.get("image")).isEqualTo("ghcr.io/meshfed/meshfed:0.1.0");
    assertThat(strings(c.get("command"))).containsExactly("meshfed-agent");
    assertThat(strings(c.get("args"))).containsExactly("--controller", "meshfed.example.com:9443", "--cert-dir", "/var/run/meshfed/agent", "--interval", "30");
    // The launcher sizes the JVM (-Xmx64m); MESHFED_JAVA_OPTS only when the values add flags.
    assertThat(env(c)).containsOnlyKeys("MESHFED_CLUSTER_NAME").containsEntry("MESHFED_CLUSTER_NAME", "c1");
    assertThat(env(container(one(Charts.render(Charts.AGENT, "javaOpts: -Xmx48m\n"), "Deployment", FULLNAME), "agent")))
        .containsEntry("MESHFED_JAVA_OPTS", "-Xmx48m");
    assertThat(at(c, "resources.requests.cpu")).isEqualTo("20m");
    assertThat(at(c, "resources.requests.memory")).isEqualTo("96Mi");
    assertThat(at(c, "resources.limits.memory")).isEqualTo("160Mi");

    Map<String, Object> mount = maps(c.get("volumeMounts")).stream().filter(m -> "/var/run/meshfed/agent".equals(m.get("mountPath"))).findFirst().orElseThrow();
    assertThat(mount.get("readOnly")).isEqualTo(true);
    Map<String, Object> volume = maps(podSpec(d).get("volumes")).stream().filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
    assertThat(at(volume, "secret.secretName")).isEqualTo("meshfed-agent-tls");
    assertThat(maps(at(volume, "secret.items"))).extracting(i -> i.get("key")).containsExactly("ca.crt", "tls.crt", "tls.key");
    assertThat(podSpec(d).get("serviceAccountName")).isEqualTo(FULLNAME);

    Map<String, Object> other = one(Charts.render(Charts.AGENT, "tls:\n  secretName: other-tls\n"), "Deployment", FULLNAME);
    assertThat(maps(podSpec(other).get("volumes"))).anySatisfy(v -> assertThat(at(v, "secret.secretName")).isEqualTo("other-tls"));
  }

  @Test
  void rbacIsExactlyTheDocumentedSet() {
    List<Map<String, Object>> objects = Charts.render(Charts.AGENT, "");
    assertThat(rendered(objects)).containsExactlyElementsOf(DOCUMENTED);

    Map<String, Object> clusterRole = one(objects, "ClusterRole", FULLNAME);
    assertThat(RbacAccess.of(clusterRole)).allMatch(a -> a.resourceName().isEmpty());
    Map<String, Object> role = one(objects, "Role", FULLNAME);
    assertThat(at(role, "metadata.namespace")).isEqualTo("kube-system");
    assertThat(RbacAccess.of(role)).allMatch(a -> !a.resourceName().isEmpty() && a.verb().equals("get"));

    for (String binding : List.of("ClusterRoleBinding", "RoleBinding")) {
      Map<String, Object> b = one(objects, binding, FULLNAME);
      assertThat(at(b, "roleRef.kind")).isEqualTo(binding.replace("Binding", ""));
      assertThat(at(b, "roleRef.name")).isEqualTo(FULLNAME);
      assertThat(maps(b.get("subjects"))).singleElement().satisfies(s -> {
        assertThat(s.get("kind")).isEqualTo("ServiceAccount");
        assertThat(s.get("name")).isEqualTo(FULLNAME);
        assertThat(s.get("namespace")).isEqualTo(Charts.NAMESPACE);
      });
    }
    assertThat(Charts.render(Charts.AGENT, "rbac:\n  create: false\n")).noneMatch(o -> kind(o).contains("Role"));
  }

  @Test
  void rbacEqualsTheAgentsDocument() {
    Path doc = Path.of(System.getProperty("meshfed.agent.rbac", "../agent/RBAC.md"));
    if (!Files.exists(doc)) {
      // Until agent/RBAC.md is written, DOCUMENTED stands for it; the document must list this set.
      assertThat(rendered(Charts.render(Charts.AGENT, ""))).containsExactlyElementsOf(DOCUMENTED);
      return;
    }
    Set<RbacAccess> fromDoc = RbacAccess.fromMarkdown(Charts.read(doc));
    assertThat(fromDoc).as(doc + " has a table with columns API group | resources | resource names | verbs").isNotEmpty();
    assertThat(rendered(Charts.render(Charts.AGENT, ""))).as("chart RBAC vs " + doc).containsExactlyElementsOf(fromDoc);
  }

  @Test
  void theAgentIsTheOnlyWorkloadByDefault() {
    List<Map<String, Object>> objects = Charts.render(Charts.AGENT, "");
    assertThat(Manifests.workloads(objects)).extracting(Manifests::describe).containsExactly("Deployment/" + FULLNAME);
    assertThat(objects).noneMatch(o -> kind(o).equals("Service") || kind(o).equals("NetworkPolicy"));
  }

  @Test
  void etcdProxyUsesVerifiedGrpcProxyFlags() {
    List<Map<String, Object>> objects = Charts.render(Charts.AGENT, WITH_PROXY);
    Map<String, Object> d = one(objects, "Deployment", PROXY);
    Map<String, Object> c = container(d, "etcd-proxy");
    assertThat(strings(c.get("command"))).containsExactly("/usr/local/bin/etcd");
    assertThat(strings(c.get("args"))).containsExactly(
        "grpc-proxy", "start",
        "--endpoints=https://etcd-0.mesh.example:2379,https://etcd-1.mesh.example:2379",
        "--listen-addr=0.0.0.0:2379",
        "--cacert=/etc/etcd-proxy/upstream/ca.crt",
        "--cert=/etc/etcd-proxy/upstream/tls.crt",
        "--key=/etc/etcd-proxy/upstream/tls.key",
        "--trusted-ca-file=/etc/etcd-proxy/server/ca.crt",
        "--cert-file=/etc/etcd-proxy/server/tls.crt",
        "--key-file=/etc/etcd-proxy/server/tls.key",
        "--metrics-addr=http://0.0.0.0:2381");
    assertThat(maps(podSpec(d).get("volumes"))).filteredOn(v -> v.containsKey("secret"))
        .extracting(v -> String.valueOf(at(v, "secret.secretName")))
        .containsExactlyInAnyOrder(FULLNAME + "-etcd-proxy-upstream", FULLNAME + "-etcd-proxy-server");
    assertThat(podSpec(d).get("automountServiceAccountToken")).isEqualTo(false);
    Map<String, Object> svc = one(objects, "Service", PROXY);
    assertThat(maps(at(svc, "spec.ports"))).singleElement().satisfies(p -> {
      assertThat(p.get("port")).isEqualTo(2379);
      assertThat(p.get("targetPort")).isEqualTo("client");
    });
    assertThat(map(at(svc, "spec.selector"))).containsEntry("app.kubernetes.io/component", "etcd-proxy");
  }

  /**
   * `meshfed join --etcd-proxy --etcd-proxy-name <fullname>-etcd-proxy` writes Secrets
   * {@code <name>-upstream} and {@code <name>-server} and points Cilium at Service {@code <name>};
   * the chart must mount and serve exactly those names for the fullname join tells it (the default
   * release meshfed-agent has fullname meshfed-agent, and join prints --set fullnameOverride for
   * any other name).
   */
  @Test
  void etcdProxyNamesMatchWhatJoinWrites() {
    for (String fullname : List.of("meshfed-agent", "edge")) {
      String name = fullname + "-etcd-proxy";
      List<Map<String, Object>> objects = Charts.render(Charts.AGENT, "fullnameOverride: " + fullname + "\n" + WITH_PROXY);
      Map<String, Object> d = one(objects, "Deployment", name);
      assertThat(maps(podSpec(d).get("volumes"))).filteredOn(v -> v.containsKey("secret"))
          .extracting(v -> String.valueOf(at(v, "secret.secretName")))
          .containsExactlyInAnyOrder(name + "-upstream", name + "-server");
      assertThat(one(objects, "Service", name)).isNotNull();
    }
    assertThat(Charts.notes(Charts.AGENT, "fullnameOverride: edge\n" + WITH_PROXY))
        .contains("meshfed join --etcd-proxy --etcd-proxy-name edge-etcd-proxy")
        .contains("edge-etcd-proxy-upstream and edge-etcd-proxy-server");
  }
}
