package io.meshfed.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Mesh policies end to end: real etcd with mTLS, the real controller, three simulated clusters
 * joined with labels, the real CLI. Apply, push with our label and annotations, drift (edit and
 * delete in a member) restored with events, placement narrowed and pruned, an unmanaged policy of
 * the same name never touched, a member down during apply converging on return, invalid input
 * refused with nothing stored, delete pruning everywhere, diff per cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyLifecycleTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static final List<String> MEMBERS = List.of("c1", "c2", "c3");
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();
  static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumnetworkpolicies").withKind("CiliumNetworkPolicy").withNamespaced(true).build();
  static final ResourceDefinitionContext CCNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumclusterwidenetworkpolicies").withKind("CiliumClusterwideNetworkPolicy").withNamespaced(false).build();

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  static final String L7 = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-rule
        namespace: default
      spec:
        description: "L7 policy to restrict access to specific HTTP call"
        endpointSelector:
          matchLabels:
            app: myService
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: frontend
          toPorts:
          - ports:
            - port: "80"
              protocol: TCP
            rules:
              http:
              - method: GET
                path: "/api/v1/data.*"
              - method: POST
                path: "/api/v1/upload"
              - method: GET
                path: "/public/.*"
      """;

  static String allowDns(String placement) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: allow-dns
          namespace: production
          annotations:
            %s
        spec:
          endpointSelector: {}
          egress:
          - toEndpoints:
            - matchLabels:
                k8s:io.kubernetes.pod.namespace: kube-system
                k8s-app: kube-dns
            toPorts:
            - ports:
              - port: "53"
                protocol: UDP
              - port: "53"
                protocol: TCP
        """.formatted(placement);
  }

  static final String CROSS = """
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata:
        name: backend-from-c2
        annotations:
          meshfed.io/clusters: "c1,c3"
      spec:
        endpointSelector:
          matchLabels:
            app: backend
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: frontend
              io.cilium.k8s.policy.cluster: c2
          toPorts:
          - ports:
            - port: "8080"
              protocol: TCP
      """;

  static String simple(String name, String placement) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: default
          annotations:
            %s
        spec:
          endpointSelector:
            matchLabels:
              app: %s
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: web
        """.formatted(name, placement, name);
  }

  @BeforeAll
  static void start() throws Exception {
    CliRunner.Result b = mesh.bootstrap(etcd.endpoints());
    assertThat(b.exit()).as(b.toString()).isZero();
    mesh.startController(Map.of("MESHFED_POLICY_RESYNC_SECONDS", "5"));
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3).start();
    Map<String, List<String>> labels = Map.of("c1", List.of("env=prod", "region=eu"), "c2", List.of("env=prod", "region=us"),
        "c3", List.of("env=staging", "region=eu"));
    for (String c : MEMBERS) {
      JsonNode token = JSON.readTree(mesh.cli().run("token", "create", "-o", "json").out());
      List<String> args = new ArrayList<>(List.of("join", "--controller", mesh.url(), "--token", token.get("token").asText(),
          "--ca-hash", token.get("caHash").asText(), "--kubeconfig", sims.cluster(c).kubeconfig().toString(),
          "--cluster-name", c, "--cluster-id", c.substring(1)));
      for (String l : labels.get(c)) {
        args.add("--label");
        args.add(l);
      }
      CliRunner.Result r = new CliRunner(MeshHarness.ENV).run(args.toArray(String[]::new));
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

  static KubernetesClient admin(String cluster) {
    return MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null);
  }

  static GenericKubernetesResource cnp(String cluster, String namespace, String name) {
    try (KubernetesClient k = admin(cluster)) {
      return k.genericKubernetesResources(CNP).inNamespace(namespace).withName(name).get();
    }
  }

  static GenericKubernetesResource ccnp(String cluster, String name) {
    try (KubernetesClient k = admin(cluster)) {
      return k.genericKubernetesResources(CCNP).withName(name).get();
    }
  }

  static JsonNode tree(GenericKubernetesResource r) {
    return new KubernetesSerialization().convertValue(r, JsonNode.class);
  }

  static Path write(String name, String... docs) throws IOException {
    Path f = tmp.resolve("policies").resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("---\n", docs));
    return f;
  }

  static JsonNode json(CliRunner.Result r) throws IOException {
    assertThat(r.exit()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  static JsonNode status(String policy) throws IOException {
    return json(mesh.cli().run("policy", "status", policy, "-o", "json"));
  }

  static String stateIn(JsonNode status, String cluster) {
    for (JsonNode c : status.path("clusters")) {
      if (c.path("cluster").asText().equals(cluster)) {
        return c.path("state").asText();
      }
    }
    return "absent";
  }

  static void assertManaged(JsonNode obj, long generation) {
    assertThat(obj.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText()).isEqualTo("meshfed");
    assertThat(obj.path("metadata").path("annotations").path("meshfed.io/generation").asText()).isEqualTo(Long.toString(generation));
    assertThat(obj.path("metadata").path("annotations").path("meshfed.io/hash").asText()).startsWith("sha256:");
  }

  @Test
  @Order(1)
  @DisplayName("apply -f DIR: the L7 rule goes to every member, allow-dns to env=prod, the cross-cluster CCNP to c1 and c3, with our label and annotations; all InSync")
  void applyPushesToEveryPlacedMember() throws Exception {
    write("a/l7.yaml", L7);
    write("a/b/more.yaml", allowDns("meshfed.io/cluster-selector: env=prod"), CROSS);
    CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", tmp.resolve("policies/a").toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("applied default/l7-rule generation 1 (3 clusters, created)")
        .contains("applied production/allow-dns generation 1 (2 clusters, created)")
        .contains("applied backend-from-c2 generation 1 (2 clusters, created)");

    await().atMost(WAIT).untilAsserted(() -> {
      for (String c : MEMBERS) {
        GenericKubernetesResource l7 = cnp(c, "default", "l7-rule");
        assertThat(l7).as("l7-rule in " + c).isNotNull();
        assertManaged(tree(l7), 1);
        assertThat(tree(l7).at("/spec/ingress/0/toPorts/0/rules/http/1/path").asText()).isEqualTo("/api/v1/upload");
      }
      assertManaged(tree(cnp("c1", "production", "allow-dns")), 1);
      assertManaged(tree(cnp("c2", "production", "allow-dns")), 1);
      assertThat(cnp("c3", "production", "allow-dns")).isNull();
      JsonNode cross = tree(ccnp("c1", "backend-from-c2"));
      assertManaged(cross, 1);
      assertThat(cross.at("/spec/ingress/0/fromEndpoints/0/matchLabels/io.cilium.k8s.policy.cluster").asText()).isEqualTo("c2");
      assertThat(ccnp("c3", "backend-from-c2")).isNotNull();
      assertThat(ccnp("c2", "backend-from-c2")).isNull();
    });
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode all = json(mesh.cli().run("policy", "status", "-o", "json"));
      List<String> states = new ArrayList<>();
      all.path("policies").forEach(p -> p.path("clusters").forEach(c -> states.add(p.path("policy").asText() + "@" + c.path("cluster").asText()
          + "=" + c.path("state").asText())));
      assertThat(states).containsExactlyInAnyOrder("default/l7-rule@c1=InSync", "default/l7-rule@c2=InSync", "default/l7-rule@c3=InSync",
          "production/allow-dns@c1=InSync", "production/allow-dns@c2=InSync", "backend-from-c2@c1=InSync", "backend-from-c2@c3=InSync");
    });
    CliRunner.Result table = mesh.cli().run("policy", "status", "l7-rule");
    assertThat(table.out()).contains("POLICY").contains("default/l7-rule").contains("InSync");
  }

  @Test
  @Order(2)
  @DisplayName("apply of the same content is idempotent (unchanged, same generation); get prints YAML, -o json parses; list")
  void idempotentApplyGetList() throws Exception {
    CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", tmp.resolve("policies/a").toString());
    assertThat(r.out()).as(r.toString()).contains("applied default/l7-rule generation 1 (3 clusters, unchanged)");
    CliRunner.Result yaml = mesh.cli().run("policy", "get", "default/l7-rule");
    assertThat(yaml.exit()).as(yaml.toString()).isZero();
    assertThat(yaml.out()).contains("kind: CiliumNetworkPolicy").contains("meshfed.io/generation: \"1\"").contains("/api/v1/data.*");
    Path roundTrip = write("roundtrip.yaml", yaml.out());
    CliRunner.Result again = mesh.cli().run("policy", "apply", "-f", roundTrip.toString());
    assertThat(again.out()).as("what get prints applies as it is, unchanged: " + again).contains("generation 1 (3 clusters, unchanged)");
    JsonNode obj = json(mesh.cli().run("policy", "get", "allow-dns", "-o", "json"));
    assertThat(obj.at("/metadata/namespace").asText()).isEqualTo("production");
    JsonNode list = json(mesh.cli().run("policy", "list", "-o", "json"));
    assertThat(list.path("policies")).hasSize(3);
    assertThat(mesh.cli().run("policy", "list").out()).contains("KIND").contains("CiliumClusterwideNetworkPolicy").contains("backend-from-c2");
    CliRunner.Result ambiguousKind = mesh.cli().run("policy", "get", "backend-from-c2", "--kind", "cnp");
    assertThat(ambiguousKind.exit()).isEqualTo(1);
    assertThat(ambiguousKind.err()).contains("no mesh policy named \"backend-from-c2\"");
  }

  @Test
  @Order(3)
  @DisplayName("an edit in a member (kubectl edit style) is restored; an event names the cluster, the changed field and the editor from managedFields")
  void editInMemberIsRestored() throws Exception {
    try (KubernetesClient k = admin("c1")) {
      GenericKubernetesResource l7 = k.genericKubernetesResources(CNP).inNamespace("default").withName("l7-rule").get();
      JsonNode t = tree(l7);
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.at("/spec/ingress/0/toPorts/0/ports/0")).put("port", "8080");
      GenericKubernetesResource edited = new KubernetesSerialization().convertValue(t, GenericKubernetesResource.class);
      edited.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl-edit").withOperation("Update")
          .withApiVersion("cilium.io/v2").withTime(Instant.now().toString()).build()));
      k.genericKubernetesResources(CNP).inNamespace("default").resource(edited).update();
    }
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(tree(cnp("c1", "default", "l7-rule")).at("/spec/ingress/0/toPorts/0/ports/0/port").asText()).isEqualTo("80"));
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode events = json(mesh.cli().run("policy", "events", "default/l7-rule", "-o", "json")).path("events");
      assertThat(events).isNotEmpty();
      JsonNode e = events.get(0);
      assertThat(e.path("cluster").asText()).isEqualTo("c1");
      assertThat(e.path("change").asText()).isEqualTo("edited");
      assertThat(e.path("action").asText()).isEqualTo("restored");
      assertThat(e.path("fields").toString()).contains("spec.ingress[0].toPorts[0].ports[0].port");
      assertThat(e.path("who").toString()).contains("kubectl-edit");
    });
    assertThat(mesh.cli().run("policy", "events", "l7-rule").out()).contains("edited").contains("c1").contains("restored");
    assertThat(stateIn(status("default/l7-rule"), "c1")).isEqualTo("InSync");
  }

  @Test
  @Order(4)
  @DisplayName("a delete in a member is restored, with a 'deleted' event")
  void deleteInMemberIsRestored() throws Exception {
    try (KubernetesClient k = admin("c2")) {
      k.genericKubernetesResources(CNP).inNamespace("production").withName("allow-dns").delete();
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(cnp("c2", "production", "allow-dns")).isNotNull());
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode events = json(mesh.cli().run("policy", "events", "production/allow-dns", "-o", "json")).path("events");
      assertThat(events).anySatisfy(e -> {
        assertThat(e.path("cluster").asText()).isEqualTo("c2");
        assertThat(e.path("change").asText()).isEqualTo("deleted");
        assertThat(e.path("action").asText()).isEqualTo("restored");
      });
    });
  }

  @Test
  @Order(5)
  @DisplayName("diff shows per cluster what would change, be created or removed; narrowing the placement prunes from the member no longer selected")
  void placementNarrowedPrunes() throws Exception {
    Path narrowed = write("narrow/allow-dns.yaml", allowDns("meshfed.io/clusters: c1"));
    Path widened = write("wide/l7.yaml", L7.replace("/public/.*", "/public/v2/.*"));
    Path both = tmp.resolve("policies/diff");
    Files.createDirectories(both);
    Files.copy(narrowed, both.resolve("1.yaml"));
    Files.copy(widened, both.resolve("2.yaml"));
    Files.writeString(both.resolve("3.yaml"), simple("new-one", "meshfed.io/clusters: c3"));
    CliRunner.Result diff = mesh.cli().run("policy", "diff", "-f", both.toString());
    assertThat(diff.exit()).as(diff.toString()).isZero();
    assertThat(diff.out()).containsPattern("production/allow-dns .*generation 1 -> 2")
        .containsPattern("c1\\s+change\\s+metadata.annotations\\[\"meshfed.io/cluster-selector\"\\], metadata.annotations\\[\"meshfed.io/clusters\"\\]")
        .containsPattern("c2\\s+remove")
        .containsPattern("default/l7-rule .*generation 1 -> 2")
        .containsPattern("c3\\s+change\\s+spec.ingress\\[0\\].toPorts\\[0\\].rules.http\\[2\\].path")
        .containsPattern("default/new-one .*new, generation 1")
        .containsPattern("c3\\s+create");
    JsonNode diffJson = json(mesh.cli().run("policy", "diff", "-f", both.toString(), "-o", "json"));
    assertThat(diffJson.path("documents")).hasSize(3);
    assertThat(json(mesh.cli().run("policy", "get", "allow-dns", "-o", "json")).at("/metadata/annotations/meshfed.io~1generation").asText())
        .as("diff stores nothing").isEqualTo("1");
    assertThat(json(mesh.cli().run("policy", "list", "-o", "json")).path("policies")).hasSize(3);

    CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", narrowed.toString());
    assertThat(r.out()).as(r.toString()).contains("applied production/allow-dns generation 2 (1 cluster, configured)");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cnp("c2", "production", "allow-dns")).as("pruned from c2").isNull();
      assertManaged(tree(cnp("c1", "production", "allow-dns")), 2);
      assertThat(cnp("c3", "production", "allow-dns")).isNull();
    });
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode s = status("production/allow-dns");
      assertThat(stateIn(s, "c1")).isEqualTo("InSync");
      assertThat(stateIn(s, "c2")).isEqualTo("absent");
    });
  }

  @Test
  @Order(6)
  @DisplayName("a same-named policy without our label is never touched: Failed in that member, pushed elsewhere, left there when the mesh policy is deleted")
  void unmanagedPolicyIsNeverTouched() throws Exception {
    String unmanagedYaml = simple("web-ingress", "team: payments").replace("app: web", "app: payments-ui");
    GenericKubernetesResource unmanaged;
    try (KubernetesClient k = admin("c2")) {
      GenericKubernetesResource u = new KubernetesSerialization().convertValue(
          new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(unmanagedYaml), GenericKubernetesResource.class);
      unmanaged = k.genericKubernetesResources(CNP).inNamespace("default").resource(u).create();
    }
    CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", write("web.yaml", simple("web-ingress", "note: everywhere")).toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    await().atMost(WAIT).untilAsserted(() -> {
      assertManaged(tree(cnp("c1", "default", "web-ingress")), 1);
      assertManaged(tree(cnp("c3", "default", "web-ingress")), 1);
      JsonNode s = status("default/web-ingress");
      assertThat(stateIn(s, "c2")).isEqualTo("Failed");
      assertThat(s.toString()).contains("an unmanaged policy of that name exists");
    });
    GenericKubernetesResource still = cnp("c2", "default", "web-ingress");
    assertThat(still.getMetadata().getResourceVersion()).isEqualTo(unmanaged.getMetadata().getResourceVersion());
    assertThat(tree(still).at("/metadata/labels/app.kubernetes.io~1managed-by").isMissingNode()).isTrue();

    CliRunner.Result del = mesh.cli().run("policy", "delete", "default/web-ingress");
    assertThat(del.exit()).as(del.toString()).isZero();
    assertThat(del.out()).contains("deleted default/web-ingress");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cnp("c1", "default", "web-ingress")).isNull();
      assertThat(cnp("c3", "default", "web-ingress")).isNull();
    });
    GenericKubernetesResource after = cnp("c2", "default", "web-ingress");
    assertThat(after).isNotNull();
    assertThat(after.getMetadata().getResourceVersion()).isEqualTo(unmanaged.getMetadata().getResourceVersion());
  }

  @Test
  @Order(7)
  @DisplayName("a member that is down during apply is Pending, the others InSync; it converges when it returns")
  void memberDownDuringApplyConverges() throws Exception {
    sims.stop("c3");
    try {
      CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", write("db.yaml", simple("db-ingress", "note: everywhere")).toString());
      assertThat(r.out()).as(r.toString()).contains("applied default/db-ingress generation 1 (3 clusters, created)");
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode s = status("default/db-ingress");
        assertThat(stateIn(s, "c1")).isEqualTo("InSync");
        assertThat(stateIn(s, "c2")).isEqualTo("InSync");
        assertThat(stateIn(s, "c3")).isEqualTo("Pending");
        assertThat(s.toString()).contains("member unreachable");
      });
    } finally {
      sims.start("c3");
    }
    await().atMost(WAIT).untilAsserted(() -> {
      assertManaged(tree(cnp("c3", "default", "db-ingress")), 1);
      assertThat(stateIn(status("default/db-ingress"), "c3")).isEqualTo("InSync");
    });
  }

  static String policiesRevision() {
    try (MeshStore s = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect())) {
      var kvs = s.list("meshfed/policies/");
      return kvs.stream().mapToLong(io.etcd.jetcd.KeyValue::getModRevision).max().orElse(0) + "/" + kvs.size();
    }
  }

  @Test
  @Order(8)
  @DisplayName("an invalid document refuses the whole batch: exit 1, each finding with its origin and field path, nothing stored")
  void invalidPolicyRefusesTheBatch() throws Exception {
    String before = policiesRevision();
    String bad = simple("bad-one", "note: x").replace("ingress:\n  - fromEndpoints:", "ingress:\n  - toPorts:\n    - ports:\n      - port: \"80\"\n        protocol: TCPX\n    fromEndpoints:");
    Path f = write("batch.yaml", simple("good-one", "note: x"), bad);
    CliRunner.Result r = mesh.cli().run("policy", "apply", "-f", f.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("1 of 2 documents is invalid; nothing was stored")
        .contains(f + "#1").contains("spec.ingress[0].toPorts[0].ports[0].protocol");
    assertThat(policiesRevision()).isEqualTo(before);
    CliRunner.Result get = mesh.cli().run("policy", "get", "default/good-one");
    assertThat(get.exit()).isEqualTo(1);
    CliRunner.Result missing = mesh.cli().run("policy", "apply", "-f", tmp.resolve("no-such-file.yaml").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no-such-file.yaml");
    CliRunner.Result usage = mesh.cli().run("policy", "apply");
    assertThat(usage.exit()).isEqualTo(2);
  }

  @Test
  @Order(9)
  @DisplayName("policy delete prunes from every member; the policy is gone from list and status")
  void deletePrunesEverywhere() throws Exception {
    CliRunner.Result r = mesh.cli().run("policy", "delete", "l7-rule");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("deleted default/l7-rule").contains("c1, c2, c3");
    await().atMost(WAIT).untilAsserted(() -> {
      for (String c : MEMBERS) {
        assertThat(cnp(c, "default", "l7-rule")).as(c).isNull();
      }
      CliRunner.Result s = mesh.cli().run("policy", "status", "default/l7-rule");
      assertThat(s.exit()).as(s.toString()).isEqualTo(1);
    });
    assertThat(json(mesh.cli().run("policy", "list", "-o", "json")).toString()).doesNotContain("l7-rule");
    JsonNode events = json(mesh.cli().run("policy", "events", "default/l7-rule", "-o", "json"));
    assertThat(events.path("events")).as("events outlive the policy").isNotEmpty();
  }

  @Test
  @Order(10)
  @DisplayName("a member that leaves gets its meshfed-managed policies pruned first (only those); its statuses are forgotten")
  void leavePrunesManagedPoliciesOnly() throws Exception {
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cnp("c3", "default", "db-ingress")).isNotNull();
      assertThat(ccnp("c3", "backend-from-c2")).isNotNull();
    });
    GenericKubernetesResource unmanaged;
    try (KubernetesClient k = admin("c3")) {
      GenericKubernetesResource u = new KubernetesSerialization().convertValue(
          new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(simple("own-policy", "team: c3")),
          GenericKubernetesResource.class);
      unmanaged = k.genericKubernetesResources(CNP).inNamespace("default").resource(u).create();
    }
    CliRunner.Result r = mesh.cli().run("leave", "--cluster", "c3");
    assertThat(r.exit()).as(r.toString()).isZero();
    try (KubernetesClient k = admin("c3")) {
      assertThat(k.genericKubernetesResources(CNP).inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "meshfed").list().getItems()).isEmpty();
      assertThat(k.genericKubernetesResources(CCNP).withLabel("app.kubernetes.io/managed-by", "meshfed").list().getItems()).isEmpty();
    }
    assertThat(cnp("c3", "default", "own-policy").getMetadata().getResourceVersion()).isEqualTo(unmanaged.getMetadata().getResourceVersion());
    JsonNode all = json(mesh.cli().run("policy", "status", "-o", "json"));
    assertThat(all.toString()).doesNotContain("\"c3\"");
    assertThat(json(mesh.cli().run("policy", "list", "-o", "json")).toString()).doesNotContain("\"c3\"");
  }

  @Test
  @Order(11)
  @DisplayName("policy baseline --namespace prints the baseline policies without a controller")
  void baseline() {
    CliRunner.Result r = new CliRunner(Map.of()).run("policy", "baseline", "--namespace", "shop");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("namespace: shop").contains("allow-dns").contains("kind: CiliumNetworkPolicy");
    assertThat(new CliRunner(Map.of()).run("policy", "baseline").exit()).isEqualTo(2);
  }
}
