package io.meshfed.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * The mesh's whole life on real processes, one mesh shared by ordered scenarios (docs/e2e.md lists
 * each scenario's steps and expected results): a real etcd with TLS and client-certificate auth,
 * the controller as its own JVM, three simulated member clusters each in its own JVM, the agents
 * as their own JVMs through their product launcher. The meshfed CLI runs in this JVM (the same
 * code as the launcher). Waits are Awaitility polls with generous limits (the CI machine has two
 * cores); nothing asserts how long anything took.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleE2ETest {
  static final List<String> MEMBERS = List.of("c1", "c2", "c3");
  static final Duration WAIT = Duration.ofSeconds(120);
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumnetworkpolicies").withKind("CiliumNetworkPolicy").withNamespaced(true).build();
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  /** The example policies and where each is placed. */
  static final Map<String, Set<String>> PLACEMENT = Map.of(
      "default/l7-rule", Set.of("c1", "c2", "c3"),
      "production/allow-dns", Set.of("c1", "c2", "c3"),
      "default/allow-c2-frontend-to-c1-api", Set.of("c1"));

  @TempDir static Path tmp;
  static MeshHarness mesh;
  static CompletableFuture<SimulatedClusters> simsStarting;
  static SimulatedClusters sims;
  static ControllerProcess controller;
  static final Map<String, String> controllerEnv = new HashMap<>();
  static final Map<String, AgentProcess> agents = new TreeMap<>();
  static Path logs;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void startSimulatedClusters() {
    logs = Checkout.logs();
    // Three JVMs, one per member; they start and seed while the mesh is bootstrapped.
    simsStarting = CompletableFuture.supplyAsync(() -> SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).cluster("c3", 3)
        .nodes(3).identities(12).endpoints(24).services(2).jvmOption("-Xmx256m").start());
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (AgentProcess a : agents.values()) {
      a.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (sims == null && simsStarting != null) {
      sims = simsStarting.get(3, TimeUnit.MINUTES);
    }
    if (sims != null) {
      sims.close();
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  static int id(String cluster) {
    return Integer.parseInt(cluster.substring(1));
  }

  static KubernetesClient admin(String c) {
    return MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null);
  }

  static MeshStore rootStore() {
    return new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
  }

  static CliRunner.Result cli(String... args) {
    return mesh.cli().run(args);
  }

  static JsonNode cliJson(String... args) throws IOException {
    CliRunner.Result r = cli(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    return JSON.readTree(r.out());
  }

  static JsonNode health() throws IOException {
    // `meshfed status` exits 1 unless Healthy; its JSON is printed either way.
    CliRunner.Result r = cli("status", "-o", "json");
    assertThat(r.out()).as(r.toString()).isNotBlank();
    return JSON.readTree(r.out());
  }

  static JsonNode condition(JsonNode health, String cluster, String type) {
    for (JsonNode c : health.path("clusters")) {
      if (cluster.equals(c.path("cluster").asText())) {
        for (JsonNode cond : c.path("conditions")) {
          if (type.equals(cond.path("type").asText())) {
            return cond;
          }
        }
      }
    }
    return JSON.missingNode();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void startAgent(String c) throws IOException {
    agents.put(c, AgentProcess.start(c, Integer.parseInt(controllerEnv.get("MESHFED_GRPC_PORT")), sims.cluster(c).kubeconfig(),
        tmp.resolve("agents").resolve(c), logs.resolve("agent-" + c + ".log")));
  }

  static Path examplePolicies() {
    return Checkout.root().resolve("examples/policies");
  }

  /** ns/name -> spec of every example policy file, as written. */
  static Map<String, JsonNode> exampleSpecs() throws IOException {
    Map<String, JsonNode> specs = new TreeMap<>();
    try (var files = Files.list(examplePolicies())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        JsonNode doc = YAML.readTree(f.toFile());
        specs.put(doc.path("metadata").path("namespace").asText() + "/" + doc.path("metadata").path("name").asText(), doc.path("spec"));
      }
    }
    return specs;
  }

  /** ns/name -> object of every CiliumNetworkPolicy meshfed manages in a member. */
  static Map<String, GenericKubernetesResource> managedPolicies(String c) {
    try (KubernetesClient k = admin(c)) {
      List<GenericKubernetesResource> items = k.genericKubernetesResources(CNP).inAnyNamespace().withLabel(MANAGED_BY, "meshfed").list().getItems();
      Map<String, GenericKubernetesResource> byName = new TreeMap<>();
      for (GenericKubernetesResource o : items) {
        String name = o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
        assertThat(byName.put(name, o)).as("duplicate " + name + " in " + c).isNull();
      }
      return byName;
    }
  }

  static JsonNode spec(GenericKubernetesResource o) {
    return JSON.valueToTree(o.getAdditionalProperties().get("spec"));
  }

  /** Every example policy is InSync in exactly the members it is placed in, and each member holds exactly its policies, as written. */
  static void assertPoliciesInSync() throws IOException {
    Map<String, JsonNode> specs = exampleSpecs();
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode status = cliJson("policy", "status", "-o", "json");
      Map<String, Set<String>> inSync = new TreeMap<>();
      for (JsonNode p : status.path("policies")) {
        for (JsonNode c : p.path("clusters")) {
          assertThat(c.path("state").asText()).as(p.path("policy").asText() + " in " + c.path("cluster").asText() + ": " + c).isEqualTo("InSync");
          inSync.computeIfAbsent(p.path("policy").asText(), x -> new TreeSet<>()).add(c.path("cluster").asText());
        }
      }
      assertThat(inSync).isEqualTo(PLACEMENT.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> new TreeSet<>(e.getValue()))));
      for (String c : members()) {
        Map<String, GenericKubernetesResource> held = managedPolicies(c);
        Set<String> expected = PLACEMENT.entrySet().stream().filter(e -> e.getValue().contains(c)).map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(held.keySet()).as("managed policies in " + c).isEqualTo(expected);
        held.forEach((name, o) -> assertThat(spec(o)).as(name + " in " + c).isEqualTo(specs.get(name)));
      }
    });
  }

  static List<String> members() {
    return MEMBERS.stream().filter(c -> !left.contains(c)).toList();
  }

  static final Set<String> left = new TreeSet<>();

  /** Every member reads every other one the way a Cilium agent does, each object valid and equal to its source. */
  static Map<String, Integer> assertSyncConformant() {
    Map<String, Integer> totals = new TreeMap<>();
    for (String viewer : members()) {
      try (MeshStore agent = CiliumAgentReader.connectAs(sims.cluster(viewer).kubeconfig(), etcd.endpoints(), mesh.mesh.bundle())) {
        for (String remote : members()) {
          if (!remote.equals(viewer)) {
            try (KubernetesClient k = admin(remote)) {
              totals.put(remote, CiliumAgentReader.assertConformant(agent, remote, id(remote), k, WAIT).total());
            }
          }
        }
      }
    }
    return totals;
  }

  /** Every key under cilium/ except the canaries' and heartbeat's values, which are timestamps. */
  static Set<String> ciliumKeys(MeshStore root) {
    return root.list("cilium/").stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).collect(Collectors.toCollection(TreeSet::new));
  }

  // ---- scenarios ---------------------------------------------------------------------------------

  @Test
  @Order(1)
  @DisplayName("1 bootstrap: `meshfed bootstrap` on real etcd writes the mesh; the controller starts as its own JVM with no member")
  void bootstrap() throws Exception {
    CliRunner.Result r = mesh.bootstrap(etcd.endpoints());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("mesh \"test\" bootstrapped").contains("ca hash:");
    assertThat(mesh.out.resolve("controller.yaml")).isRegularFile();
    assertThat(mesh.out.resolve("meshfed.yaml")).isRegularFile();
    try (MeshStore root = rootStore()) {
      assertThat(root.mesh()).isPresent();
      assertThat(root.clusters()).isEmpty();
    }
    controllerEnv.put("MESHFED_GRPC_PORT", String.valueOf(freePort()));
    controllerEnv.put("MESHFED_REPORT_INTERVAL_SECONDS", "2");
    controllerEnv.put("MESHFED_POLICY_RESYNC_SECONDS", "5");
    System.setProperty("meshfed.test.controllerLog", logs.resolve("controller.log").toString());
    controller = mesh.startControllerProcess(controllerEnv);
    assertThat(cliJson("clusters", "-o", "json").path("clusters")).isEmpty();
  }

  @Test
  @Order(2)
  @DisplayName("2 join 3: token create + join through the real CLI for c1, c2, c3; each is JOINED with its ID and holds its Secrets")
  void joinThree() throws Exception {
    sims = simsStarting.get(3, TimeUnit.MINUTES);
    for (String c : MEMBERS) {
      try (KubernetesClient k = admin(c)) {
        // The namespace of the allow-dns example policy (the seeder makes default, kube-system and ns-*).
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("production").endMetadata().build()).create();
      }
    }
    for (String c : MEMBERS) {
      CliRunner.Result r = mesh.join(sims, c, id(c));
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("joined " + c + " (ID " + id(c) + ")");
    }
    JsonNode clusters = cliJson("clusters", "-o", "json").path("clusters");
    Map<String, String> seen = new TreeMap<>();
    clusters.forEach(c -> seen.put(c.path("name").asText(), c.path("id").asText() + "/" + c.path("state").asText()));
    assertThat(seen).containsExactly(Map.entry("c1", "1/JOINED"), Map.entry("c2", "2/JOINED"), Map.entry("c3", "3/JOINED"));
    for (String c : MEMBERS) {
      try (KubernetesClient k = admin(c)) {
        assertThat(k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get()).as(c).isNotNull();
        assertThat(k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get()).as(c).isNotNull();
      }
    }
  }

  @Test
  @Order(3)
  @DisplayName("3 sync: each member reads every other one from etcd as a Cilium agent does (conformance reader); global services merge across 3")
  void syncConformant() throws Exception {
    Map<String, Integer> totals = assertSyncConformant();
    assertThat(totals).containsOnlyKeys("c1", "c2", "c3").allSatisfy((c, n) -> assertThat(n).isPositive());
    JsonNode services = cliJson("services", "-o", "json").path("services");
    assertThat(services).hasSize(2);
    for (JsonNode svc : services) {
      assertThat(svc.path("clusters")).hasSize(3);
    }
  }

  @Test
  @Order(4)
  @DisplayName("4 policies: `policy apply -f examples/policies`; InSync in exactly the placed members, which hold them as written")
  void policiesApplied() throws Exception {
    CliRunner.Result r = cli("policy", "apply", "-f", examplePolicies().toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("l7-rule").contains("allow-dns").contains("allow-c2-frontend-to-c1-api");
    assertPoliciesInSync();
  }

  @Test
  @Order(5)
  @DisplayName("5 drift: a managed policy edited, another deleted, in c2 are restored; `policy events` shows both")
  void driftRestored() throws Exception {
    Map<String, JsonNode> specs = exampleSpecs();
    try (KubernetesClient k = admin("c2")) {
      GenericKubernetesResource l7 = k.genericKubernetesResources(CNP).inNamespace("default").withName("l7-rule").get();
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) l7.getAdditionalProperties().get("spec");
      spec.put("endpointSelector", Map.of("matchLabels", Map.of("app", "edited-by-hand")));
      k.genericKubernetesResources(CNP).inNamespace("default").resource(l7).update();
      k.genericKubernetesResources(CNP).inNamespace("production").withName("allow-dns").delete();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, GenericKubernetesResource> held = managedPolicies("c2");
      assertThat(held).containsOnlyKeys("default/l7-rule", "production/allow-dns");
      assertThat(spec(held.get("default/l7-rule"))).isEqualTo(specs.get("default/l7-rule"));
      assertThat(spec(held.get("production/allow-dns"))).isEqualTo(specs.get("production/allow-dns"));
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cliJson("policy", "events", "default/l7-rule", "-o", "json").path("events").findValuesAsText("cluster")).contains("c2");
      assertThat(cliJson("policy", "events", "production/allow-dns", "-o", "json").path("events").findValuesAsText("cluster")).contains("c2");
    });
    assertPoliciesInSync();
  }

  @Test
  @Order(6)
  @DisplayName("6 agents: 3 agents make the mesh Healthy (`status --wait` exit 0); c1's Cilium DaemonSet not ready -> Degraded with that reason, exit 1, then Healthy; one agent killed -> its AgentConnected Unknown, mesh Degraded, exit 1")
  void agentsAndAKilledAgent() throws Exception {
    for (String c : MEMBERS) {
      startAgent(c);
    }
    CliRunner.Result r = cli("status", "--wait", "--timeout", "2m");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("mesh: Healthy (3 members");
    for (String c : MEMBERS) {
      assertThat(r.out()).containsPattern("(?m)^" + c + "\\s+Healthy\\s+ok");
    }

    // c1's Cilium DaemonSet loses a ready pod: its real agent reports it, the mesh is Degraded with that reason.
    try (io.fabric8.kubernetes.client.KubernetesClient k = io.meshfed.controller.member.MemberConnection.fromKubeconfig(
        sims.cluster("c1").kubeconfig(), null)) {
      io.fabric8.kubernetes.api.model.apps.DaemonSet ds = k.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      int desired = ds.getStatus().getDesiredNumberScheduled();
      ds.getStatus().setNumberReady(desired - 1);
      k.apps().daemonSets().inNamespace("kube-system").resource(ds).updateStatus();
      await().atMost(WAIT).untilAsserted(() -> {
        JsonNode h = health();
        assertThat(condition(h, "c1", "CiliumReady").path("reason").asText()).isEqualTo("DaemonSetNotReady");
        assertThat(h.path("status").asText()).isEqualTo("Degraded");
        assertThat(h.path("reasons").toString()).contains("c1: CiliumReady False (DaemonSetNotReady): cilium DaemonSet "
            + (desired - 1) + "/" + desired + " ready");
      });
      assertThat(cli("status").exit()).isEqualTo(1);
      io.fabric8.kubernetes.api.model.apps.DaemonSet back = k.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      back.getStatus().setNumberReady(desired);
      k.apps().daemonSets().inNamespace("kube-system").resource(back).updateStatus();
    }
    CliRunner.Result healthyAgain = cli("status", "--wait", "--timeout", "2m");
    assertThat(healthyAgain.exit()).as(healthyAgain.toString()).isZero();

    agents.get("c2").kill();
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode h = health();
      assertThat(condition(h, "c2", "AgentConnected").path("status").asText()).isEqualTo("Unknown");
      assertThat(h.path("status").asText()).isEqualTo("Degraded");
      assertThat(condition(h, "c1", "AgentConnected").path("status").asText()).isEqualTo("True");
    });
    CliRunner.Result degraded = cli("status");
    assertThat(degraded.exit()).as(degraded.toString()).isEqualTo(1);
    assertThat(degraded.out()).contains("mesh: Degraded").contains("c2: AgentConnected Unknown");
  }

  @Test
  @Order(7)
  @DisplayName("7 controller SIGKILLed and restarted: etcd keeps everything; it converges (conformance, policies InSync, nothing lost or duplicated) and is Healthy again")
  void controllerKilledAndRestarted() throws Exception {
    Set<String> keysBefore;
    try (MeshStore root = rootStore()) {
      keysBefore = ciliumKeys(root);
    }
    JsonNode clustersBefore = cliJson("clusters", "-o", "json").path("clusters");
    Map<String, Long> generationsBefore = new TreeMap<>();
    cliJson("policy", "list", "-o", "json").path("policies").forEach(p -> generationsBefore.put(p.path("policy").asText(), p.path("generation").asLong()));
    Map<String, Map<String, String>> uidsBefore = new TreeMap<>();
    for (String c : MEMBERS) {
      uidsBefore.put(c, managedPolicies(c).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getMetadata().getUid())));
    }

    controller.kill();
    assertThat(controller.isAlive()).isFalse();
    try (MeshStore root = rootStore()) {
      // Like KVStoreMesh, nothing is removed while the controller is away: agents keep reading.
      assertThat(ciliumKeys(root)).containsAll(keysBefore.stream().filter(k -> !k.equals("cilium/.heartbeat")).toList());
    }
    controller = mesh.startControllerProcess(controllerEnv);

    assertSyncConformant();
    try (MeshStore root = rootStore()) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(ciliumKeys(root)).isEqualTo(keysBefore));
    }
    JsonNode clustersAfter = cliJson("clusters", "-o", "json").path("clusters");
    assertThat(clustersAfter.findValuesAsText("name")).isEqualTo(clustersBefore.findValuesAsText("name"));
    assertThat(clustersAfter.findValuesAsText("id")).isEqualTo(clustersBefore.findValuesAsText("id"));
    assertPoliciesInSync();
    Map<String, Long> generationsAfter = new TreeMap<>();
    cliJson("policy", "list", "-o", "json").path("policies").forEach(p -> generationsAfter.put(p.path("policy").asText(), p.path("generation").asLong()));
    assertThat(generationsAfter).isEqualTo(generationsBefore);
    for (String c : MEMBERS) {
      // The same objects, not re-created ones: a restart re-reads, it does not re-push.
      assertThat(managedPolicies(c).entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getMetadata().getUid())))
          .as("managed policies of " + c).isEqualTo(uidsBefore.get(c));
    }

    startAgent("c2");
    CliRunner.Result r = cli("status", "--wait", "--timeout", "2m");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("mesh: Healthy (3 members");
  }

  @Test
  @Order(8)
  @DisplayName("8 leave c3: its cluster config goes at once, its cache keys and canaries after the grace; c1 and c2 keep theirs")
  void leave() throws Exception {
    agents.remove("c3").close();
    CliRunner.Result r = cli("leave", "--cluster", "c3", "--kubeconfig", sims.cluster("c3").kubeconfig().toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    left.add("c3");
    try (MeshStore root = rootStore()) {
      assertThat(root.get("cilium/cluster-config/c3")).isEmpty();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(root.list("cilium/synced/c3/")).isEmpty();
        for (String p : CiliumAgentReader.PREFIXES) {
          assertThat(root.list("cilium/cache/" + p + "/v1/c3/")).as(p).isEmpty();
        }
      });
      for (String c : List.of("c1", "c2")) {
        assertThat(root.get("cilium/cluster-config/" + c)).isPresent();
        for (String p : CiliumAgentReader.PREFIXES) {
          assertThat(root.list("cilium/cache/" + p + "/v1/" + c + "/")).as(p + " of " + c).isNotEmpty();
        }
      }
    }
    List<String> names = new ArrayList<>(cliJson("clusters", "-o", "json").path("clusters").findValuesAsText("name"));
    assertThat(names).containsExactly("c1", "c2");
    try (KubernetesClient k = admin("c3")) {
      assertThat(k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get()).isNull();
    }
  }
}
