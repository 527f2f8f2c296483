package io.meshfed.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.KeyValue;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.controller.testing.FaultyLink;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Issue #8 point 3: a member whose API server hangs, is down or flaps is Unreachable and nothing
 * else. c1 and c2 are reached through {@link FaultyLink}s (their kubeconfigs at join point at the
 * links), c3 directly. While a link is broken: the member shows unreachable in its sync status and
 * health, its keys stay in etcd (cacheTTL 0, as Cilium), and c3 is untouched: its keys keep their
 * revisions and a change in c3 reaches etcd. When the link heals, what changed in the member
 * meanwhile arrives and the member's keys equal its objects again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberOutageTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static MeshStore root;
  static final Map<String, FaultyLink> links = new TreeMap<>();
  static final List<String> MEMBERS = List.of("c1", "c2", "c3");
  /** A hung member is noticed when a probe has waited 10 s for its answer (the next probe after that). */
  static final Duration WAIT = Duration.ofSeconds(120);
  static int counter;

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
        .nodes(2).identities(4).endpoints(6).services(2).start();
    for (String c : MEMBERS) {
      Path kubeconfig = sims.cluster(c).kubeconfig();
      if (!c.equals("c3")) {
        FaultyLink link = FaultyLink.to(sims.cluster(c).port());
        links.put(c, link);
        kubeconfig = tmp.resolve(c + "-via-link.kubeconfig");
        String original = Files.readString(sims.cluster(c).kubeconfig());
        String via = original.replace("127.0.0.1:" + sims.cluster(c).port(), "127.0.0.1:" + link.port());
        assertThat(via).as("kubeconfig of " + c + " points at its link").isNotEqualTo(original);
        Files.writeString(kubeconfig, via);
      }
      JsonNode token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mesh.cli().run("token", "create", "-o", "json").out());
      CliRunner.Result r = new CliRunner(MeshHarness.ENV).run("join", "--controller", mesh.url(), "--token", token.get("token").asText(),
          "--ca-hash", token.get("caHash").asText(), "--kubeconfig", kubeconfig.toString(), "--cluster-name", c,
          "--cluster-id", String.valueOf(id(c)));
      assertThat(r.exit()).as(r.toString()).isZero();
    }
    root = new MeshStore(new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect());
    for (String c : MEMBERS) {
      await().atMost(WAIT).ignoreExceptions().until(() -> reachable(c) && synced(c));
      assertConformant(c);
    }
  }

  @AfterAll
  static void stop() {
    links.values().forEach(FaultyLink::close);
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
  @DisplayName("a hung API server (bytes held, no answer): that member Unreachable with its keys kept, c3 untouched; healed, it converges")
  void hungMember() throws Exception {
    Map<String, Long> c3Before = revisions("c3");
    long c1Keys = keys("c1");
    links.get("c1").stall();
    await().atMost(WAIT).ignoreExceptions().until(() -> !reachable("c1"));
    assertThat(condition("c1", "IdentitiesSynced")).isEqualTo("False/MemberUnreachable");
    // The reason names what happened (no answer), not fabric8's "An error has occurred.".
    assertThat(lastError("c1")).startsWith("member API unreachable: no answer");
    String whileHung = createIdentity("c1");

    assertOthersUnaffected(c3Before, "c1");
    assertThat(keys("c1")).as("c1's keys are kept while it is unreachable (cacheTTL 0)").isEqualTo(c1Keys);
    assertThat(root.get(whileHung)).isEmpty();

    links.get("c1").pass();
    await().atMost(WAIT).ignoreExceptions().until(() -> reachable("c1"));
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(whileHung)).isPresent());
    assertThat(condition("c1", "IdentitiesSynced")).startsWith("True/");
    assertConformant("c1");
  }

  @Test
  @Order(2)
  @DisplayName("an API server that is down, then flaps twice: that member Unreachable each time, c3 untouched; changes made while down arrive")
  void downAndFlapping() throws Exception {
    Map<String, Long> c3Before = revisions("c3");
    FaultyLink link = links.get("c2");
    List<String> created = new java.util.ArrayList<>();
    // Each flap lasts until the controller has seen it: down until the probe fails, up until it
    // answers again (the controller's view, not a clock, decides the rhythm).
    for (int flap = 0; flap < 2; flap++) {
      link.cut();
      await().atMost(WAIT).ignoreExceptions().until(() -> !reachable("c2"));
      created.add(createIdentity("c2"));
      link.pass();
      await().atMost(WAIT).ignoreExceptions().until(() -> reachable("c2"));
    }
    link.cut();
    await().atMost(WAIT).ignoreExceptions().until(() -> !reachable("c2"));
    assertThat(condition("c2", "IdentitiesSynced")).isEqualTo("False/MemberUnreachable");
    assertThat(lastError("c2")).startsWith("member API unreachable: no answer: ");
    created.add(createIdentity("c2"));
    assertOthersUnaffected(c3Before, "c2");

    link.pass();
    await().atMost(WAIT).ignoreExceptions().until(() -> reachable("c2"));
    for (String key : created) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(key)).as(key).isPresent());
    }
    assertConformant("c2");
    assertThat(link.accepted()).as("the client reconnected through the link after every flap").isGreaterThan(3);
  }

  /**
   * While {@code broken} is out: c3's keys kept their revisions (nothing rewritten), a change in c3
   * reaches etcd, c3 stays reachable and synced, and the API answers.
   */
  static void assertOthersUnaffected(Map<String, Long> c3Before, String broken) throws Exception {
    String key = createIdentity("c3");
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(root.get(key)).isPresent());
    Map<String, Long> c3Now = revisions("c3");
    c3Now.remove(key);
    assertThat(c3Now).as("c3's keys while " + broken + " is out").containsAllEntriesOf(c3Before);
    assertThat(reachable("c3")).isTrue();
    assertThat(synced("c3")).isTrue();
    assertThat(condition("c3", "IdentitiesSynced")).startsWith("True/");
    try (ApiClient api = mesh.api()) {
      assertThat(api.get("/api/v1/clusters").path("clusters")).hasSize(3);
    }
  }

  static boolean reachable(String c) throws Exception {
    try (ApiClient api = mesh.api()) {
      return api.get("/api/v1/clusters/" + c + "/sync").path("reachable").asBoolean();
    }
  }

  static String lastError(String c) throws Exception {
    try (ApiClient api = mesh.api()) {
      return api.get("/api/v1/clusters/" + c + "/sync").path("lastError").asText();
    }
  }

  static boolean synced(String c) throws Exception {
    try (ApiClient api = mesh.api()) {
      JsonNode types = api.get("/api/v1/clusters/" + c + "/sync").path("types");
      boolean all = types.size() > 0;
      for (JsonNode t : types) {
        all &= t.path("synced").asBoolean();
      }
      return all;
    }
  }

  /** "status/reason" of one condition of the member's health. */
  static String condition(String c, String type) throws Exception {
    try (ApiClient api = mesh.api()) {
      for (JsonNode cond : api.get("/api/v1/clusters/" + c + "/health").path("conditions")) {
        if (cond.path("type").asText().equals(type)) {
          return cond.path("status").asText() + "/" + cond.path("reason").asText();
        }
      }
    }
    throw new AssertionError("no condition " + type + " for " + c);
  }

  /** Every cache key of the member with its mod revision. */
  static Map<String, Long> revisions(String c) {
    Map<String, Long> out = new TreeMap<>();
    for (String p : CiliumAgentReader.PREFIXES) {
      for (KeyValue kv : root.list("cilium/cache/" + p + "/v1/" + c + "/")) {
        out.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getModRevision());
      }
    }
    return out;
  }

  static long keys(String c) {
    return revisions(c).size();
  }

  static void assertConformant(String c) {
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null)) {
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
          CiliumAgentReader.assertConformant(root, c, id(c), k, Duration.ofSeconds(10)));
    }
  }

  static String createIdentity(String c) {
    String id = String.valueOf((id(c) << 16) + 5000 + ++counter);
    GenericKubernetesResource identity = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
        .withKind("CiliumIdentity").withNewMetadata().withName(id).endMetadata()
        .addToAdditionalProperties("security-labels", Map.of("k8s:app", "outage-" + counter,
            "k8s:io.cilium.k8s.policy.cluster", c, "k8s:io.kubernetes.pod.namespace", "default"))
        .build();
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null)) {
      k.genericKubernetesResources(CiliumAgentReader.IDENTITIES).resource(identity).create();
    }
    return "cilium/cache/identities/v1/" + c + "/id/" + id;
  }

  static int id(String c) {
    return Integer.parseInt(c.substring(1));
  }
}
