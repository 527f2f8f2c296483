package io.meshfed.controller.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.controller.testing.EtcdGrpcProxy;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.controller.testing.RawApi;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member joined with {@code --etcd-proxy}, proven on real processes: real etcd with mTLS and
 * auth, the real controller and CLI, two simulated clusters, and a real {@code etcd grpc-proxy}
 * started with exactly the Secrets the controller wrote into the member. c1 is proxied, c2 is not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdProxyJoinTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = EtcdProxyName.NAMESPACE;
  private static final EtcdProxyName PROXY = new EtcdProxyName(EtcdProxyName.DEFAULT);

  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static EtcdGrpcProxy proxy;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    EtcdGrpcProxy.missingBinary().ifPresent(why -> Assumptions.abort("etcd grpc-proxy needs the etcd binary: " + why));
    CliRunner.Result boot = mesh.bootstrap(etcd.endpoints());
    assertThat(boot.exit()).as(boot.toString()).isZero();
    mesh.startController();
    sims = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2).start();
    CliRunner.Result c2 = mesh.join(sims, "c2", 2);
    assertThat(c2.exit()).as(c2.toString()).isZero();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  static CliRunner.Result join(String name, String id, String... extra) throws Exception {
    return mesh.join(sims, name, Integer.parseInt(id), extra);
  }

  static KubernetesClient admin(String cluster) {
    return MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null);
  }

  /** A Secret's data as the member holds it (empty when the Secret is missing or empty). */
  static Map<String, byte[]> secret(String cluster, String namespace, String name) {
    try (KubernetesClient k = admin(cluster)) {
      Secret s = k.secrets().inNamespace(namespace).withName(name).get();
      Map<String, byte[]> data = new LinkedHashMap<>();
      if (s != null && s.getData() != null) {
        s.getData().forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
      }
      return data;
    }
  }

  static String text(Map<String, byte[]> data, String key) {
    return new String(data.get(key), StandardCharsets.UTF_8);
  }

  /** One remote's etcd client config in a member's cilium-clustermesh, parsed as the YAML it is. */
  static JsonNode clusterMeshConfig(String member, String remote) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(text(secret(member, "kube-system", "cilium-clustermesh"), remote));
  }

  /** The client identity a member's Cilium agents present, from its cilium-clustermesh Secret. */
  static CertifiedKey agentIdentity(String member) {
    Map<String, byte[]> data = secret(member, "kube-system", "cilium-clustermesh");
    List<X509Certificate> certs = Pem.decodeCertificates("cert", text(data, "meshfed-etcd-client.crt"));
    return new CertifiedKey(certs.get(0), Pem.decodePrivateKey("key", text(data, "meshfed-etcd-client.key"), null), certs.subList(1, certs.size()));
  }

  /**
   * A jetcd client as c1's Cilium agents connect through the proxy: its cilium-clustermesh CA file
   * and client certificate, optionally user and password, the proxy's in-cluster name as TLS
   * authority (the serving certificate is for it), and the loopback address only because this test
   * cannot resolve that name.
   */
  static Client throughProxy(CertifiedKey identity, String user, String password) {
    return throughProxy(identity, agentTrust(), user, password);
  }

  /** The roots c1's agents trust for their etcd endpoint (the CA file of its cilium-clustermesh). */
  static TrustBundle agentTrust() {
    return TrustBundle.parse("ca", text(secret("c1", "kube-system", "cilium-clustermesh"), "meshfed-etcd-client-ca.crt"));
  }

  static Client throughProxy(CertifiedKey identity, TrustBundle ca, String user, String password) {
    var builder = Client.builder().endpoints(proxy.endpoint()).authority(PROXY.dnsNames().get(0))
        .sslContext(EtcdAccess.sslContext(identity, ca)).connectTimeout(Duration.ofSeconds(5)).retryMaxDuration(Duration.ofSeconds(3));
    if (user != null) {
      builder.user(bytes(user)).password(bytes(password));
    }
    return builder.build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static List<String> keys(Client c, String prefix) throws Exception {
    return c.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get(20, TimeUnit.SECONDS)
        .getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8)).toList();
  }

  /** Whether exactly {@code key} exists (a plain get: the member role grants the heartbeat as one key, not a range). */
  static boolean exists(Client c, String key) throws Exception {
    return c.getKVClient().get(bytes(key)).get(20, TimeUnit.SECONDS).getCount() == 1;
  }

  @Test
  @Order(1)
  @DisplayName("refusals name the field and the rule, before anything is written: --etcd-proxy-name without --etcd-proxy, a bad name on the CLI and in the join API")
  void refusals() throws Exception {
    CliRunner.Result alone = join("c1", "1", "--etcd-proxy-name", PROXY.value());
    assertThat(alone.exit()).isEqualTo(2);
    assertThat(alone.err()).contains("--etcd-proxy-name needs --etcd-proxy");
    CliRunner.Result bad = join("c1", "1", "--etcd-proxy", "--etcd-proxy-name", "Bad_Name-etcd-proxy");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--etcd-proxy-name: \"Bad_Name-etcd-proxy\" must be a DNS label");
    CliRunner.Result noSuffix = join("c1", "1", "--etcd-proxy", "--etcd-proxy-name", "my-proxy");
    assertThat(noSuffix.err()).contains("--etcd-proxy-name: \"my-proxy\" must be <agent chart fullname>-etcd-proxy");
    CliRunner.Result tooLong = join("c1", "1", "--etcd-proxy", "--etcd-proxy-name", "a".repeat(53) + "-etcd-proxy");
    assertThat(tooLong.err()).contains("at most 63 characters");
    try (KubernetesClient k = admin("c1")) {
      assertThat(k.namespaces().withName(NS).get()).as("nothing provisioned in the member").isNull();
    }

    Vertx vertx = Vertx.vertx();
    try {
      RawApi api = new RawApi(vertx, mesh);
      String token = new ObjectMapper().readTree(mesh.cli().run("token", "create", "-o", "json").out()).get("token").asText();
      byte[] body = ("{\"clusterName\":\"c1\",\"clusterId\":1,\"kubeSystemUid\":\"u\",\"etcdProxy\":\"proxy\","
          + "\"ciliumConfig\":{\"clusterName\":\"c1\",\"clusterId\":\"1\",\"maxConnectedClusters\":\"255\"}}").getBytes(StandardCharsets.UTF_8);
      RawApi.Answer pre = api.sendWithBearer("/api/v1/join/preflight", token, body);
      assertThat(pre.status()).as(pre.brief()).isEqualTo(200);
      assertThat(pre.body()).contains("\"field\":\"etcd-proxy-name\"").contains("must be <agent chart fullname>-etcd-proxy");
      RawApi.Answer wrongType = api.sendWithBearer("/api/v1/join/preflight", token,
          new String(body, StandardCharsets.UTF_8).replace("\"proxy\"", "true").getBytes(StandardCharsets.UTF_8));
      assertThat(wrongType.status()).as(wrongType.brief()).isEqualTo(400);
      assertThat(wrongType.body()).contains("etcdProxy");
    } finally {
      vertx.close();
    }
  }

  @Test
  @Order(2)
  @DisplayName("join --etcd-proxy: the proxy's Secrets, its Role, c1's cilium-clustermesh pointing at the proxy with user and password; c2's unchanged from a plain join")
  void joinWritesProxySecretsAndConfig() throws Exception {
    CliRunner.Result r = join("c1", "1", "--etcd-proxy");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("--set etcdProxy.enabled=true").contains("etcdProxy.endpoints={" + String.join(",", etcd.endpoints()) + "}")
        .doesNotContain("fullnameOverride");

    Map<String, byte[]> upstream = secret("c1", NS, PROXY.upstreamSecret());
    X509Certificate upstreamCert = Pem.decodeCertificates("tls.crt", text(upstream, "tls.crt")).get(0);
    assertThat(upstreamCert.getSubjectX500Principal().getName()).as("no CN: no etcd user").isEqualTo("O=meshfed");
    assertThat(text(upstream, "ca.crt")).isEqualTo(mesh.mesh.bundle().toPem());
    Map<String, byte[]> server = secret("c1", NS, PROXY.serverSecret());
    X509Certificate serving = Pem.decodeCertificates("tls.crt", text(server, "tls.crt")).get(0);
    assertThat(serving.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("meshfed-agent-etcd-proxy.meshfed-system.svc");
    try (KubernetesClient k = admin("c1")) {
      assertThat(k.rbac().roles().inNamespace(NS).withName("meshfed-member-etcd-proxy").get().getRules().get(0).getResourceNames())
          .containsExactlyInAnyOrder(PROXY.upstreamSecret(), PROXY.serverSecret());
    }

    await().atMost(WAIT).untilAsserted(() -> assertThat(secret("c1", "kube-system", "cilium-clustermesh")).containsKey("c2"));
    JsonNode c1ToC2 = clusterMeshConfig("c1", "c2");
    assertThat(c1ToC2.get("endpoints")).hasSize(1);
    assertThat(c1ToC2.get("endpoints").get(0).asText()).isEqualTo("https://meshfed-agent-etcd-proxy.meshfed-system.svc:2379");
    assertThat(c1ToC2.get("username").asText()).isEqualTo("member-c1");
    assertThat(c1ToC2.get("password").asText()).hasSize(64);
    assertThat(text(secret("c1", "kube-system", "cilium-clustermesh"), "meshfed-etcd-client-ca.crt")).isEqualTo(mesh.mesh.bundle().toPem());

    await().atMost(WAIT).untilAsserted(() -> assertThat(secret("c2", "kube-system", "cilium-clustermesh")).containsKey("c1"));
    String c2ToC1 = text(secret("c2", "kube-system", "cilium-clustermesh"), "c1");
    assertThat(c2ToC1).isEqualTo("endpoints:\n- " + String.join("\n- ", etcd.endpoints()) + "\n"
        + "trusted-ca-file: /var/lib/cilium/clustermesh/meshfed-etcd-client-ca.crt\n"
        + "cert-file: /var/lib/cilium/clustermesh/meshfed-etcd-client.crt\n"
        + "key-file: /var/lib/cilium/clustermesh/meshfed-etcd-client.key\n");

    CliRunner.Result list = mesh.cli().run("clusters", "-o", "json");
    assertThat(list.out()).contains("\"etcdProxy\" : \"meshfed-agent-etcd-proxy\"").doesNotContain("etcdPasswordSealed");
  }

  @Test
  @Order(3)
  @DisplayName("a real etcd grpc-proxy with those Secrets: c1's agents read c2's cache through it and watch changes arrive; meshfed/, writes, no password and no client certificate are refused")
  void realProxyServesTheMemberAgents() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("proxy"));
    proxy = EtcdGrpcProxy.start(dir, etcd.endpoints(), secret("c1", NS, PROXY.upstreamSecret()), secret("c1", NS, PROXY.serverSecret()));
    JsonNode config = clusterMeshConfig("c1", "c2");
    CertifiedKey agent = agentIdentity("c1");
    String user = config.get("username").asText();
    String password = config.get("password").asText();

    try (Client c1 = throughProxy(agent, user, password)) {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(keys(c1, "cilium/cache/nodes/v1/c2/")).as(proxy.log()).isNotEmpty();
        assertThat(keys(c1, "cilium/cache/identities/v1/c2/")).isNotEmpty();
        assertThat(keys(c1, "cilium/cluster-config/c2")).containsExactly("cilium/cluster-config/c2");
        assertThat(keys(c1, "cilium/synced/c2/")).hasSize(4);
        assertThat(exists(c1, "cilium/.heartbeat")).isTrue();
      });

      // A change in c2's (simulated) cluster reaches c1's watch through the proxy.
      List<WatchEvent> events = new CopyOnWriteArrayList<>();
      String id = String.valueOf((2 << 16) + 4100);
      try (Watch.Watcher w = c1.getWatchClient().watch(bytes("cilium/cache/identities/v1/c2/"), WatchOption.builder().isPrefix(true).build(),
          Watch.listener(resp -> events.addAll(resp.getEvents())))) {
        try (KubernetesClient k = admin("c2")) {
          k.genericKubernetesResources(CiliumAgentReader.IDENTITIES).resource(new GenericKubernetesResourceBuilder()
              .withApiVersion("cilium.io/v2").withKind("CiliumIdentity").withNewMetadata().withName(id).endMetadata()
              .addToAdditionalProperties("security-labels", Map.of("k8s:app", "through-proxy", "k8s:io.cilium.k8s.policy.cluster", "c2",
                  "k8s:io.kubernetes.pod.namespace", "default"))
              .build()).create();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(events).anySatisfy(e -> {
          assertThat(e.getEventType()).isEqualTo(WatchEvent.EventType.PUT);
          assertThat(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)).isEqualTo("cilium/cache/identities/v1/c2/id/" + id);
          assertThat(e.getKeyValue().getValue().toString(StandardCharsets.UTF_8)).contains("k8s:app=through-proxy");
        }));
      }

      assertThatThrownBy(() -> keys(c1, "meshfed/")).hasMessageContaining("permission denied");
      assertThatThrownBy(() -> c1.getKVClient().put(bytes("cilium/cache/nodes/v1/c1/evil"), bytes("x")).get(20, TimeUnit.SECONDS))
          .hasMessageContaining("permission denied");
    }

    // The certificate alone is not enough: through the proxy, the mesh etcd sees no user.
    try (Client noPassword = throughProxy(agent, null, null)) {
      assertThatThrownBy(() -> keys(noPassword, "cilium/cache/nodes/v1/c2/"))
          .hasMessageMatching("(?s).*(permission denied|user name is empty).*");
    }
    try (Client wrongPassword = throughProxy(agent, user, "0".repeat(64))) {
      assertThatThrownBy(() -> keys(wrongPassword, "cilium/cache/nodes/v1/c2/")).hasStackTraceContaining("authentication failed, invalid user ID or password");
    }
    // The password alone is not enough either: the proxy requires a client certificate of the mesh.
    try (Client noCertificate = throughProxy(null, user, password)) {
      assertThatThrownBy(() -> keys(noCertificate, "cilium/cache/nodes/v1/c2/")).hasMessageNotContaining("permission denied");
    }
  }

  @Test
  @Order(4)
  @DisplayName("leave: the password no longer authenticates through the proxy, and the proxy's Secrets and Role are gone from the member")
  void leaveEndsThePassword() throws Exception {
    JsonNode config = clusterMeshConfig("c1", "c2");
    CertifiedKey agent = agentIdentity("c1");
    TrustBundle trust = agentTrust();
    CliRunner.Result leave = mesh.cli().run("leave", "--cluster", "c1", "--kubeconfig", sims.cluster("c1").kubeconfig().toString());
    assertThat(leave.exit()).as(leave.toString()).isZero();
    assertThat(leave.out()).contains("revoke 5 certificate(s)").contains(PROXY.upstreamSecret()).contains(PROXY.serverSecret())
        .contains("its password no longer authenticates");
    try (Client c1 = throughProxy(agent, trust, config.get("username").asText(), config.get("password").asText())) {
      assertThatThrownBy(() -> exists(c1, "cilium/.heartbeat")).hasStackTraceContaining("authentication failed, invalid user ID or password");
    }
    try (KubernetesClient k = admin("c1")) {
      assertThat(k.secrets().inNamespace(NS).withName(PROXY.upstreamSecret()).get()).isNull();
      assertThat(k.secrets().inNamespace(NS).withName(PROXY.serverSecret()).get()).isNull();
      assertThat(k.rbac().roles().inNamespace(NS).withName("meshfed-member-etcd-proxy").get()).isNull();
    }
  }
}
