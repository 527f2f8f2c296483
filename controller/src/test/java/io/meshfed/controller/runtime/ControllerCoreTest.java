package io.meshfed.controller.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bootstrap, the controller process, its etcd identity, tokens and the API's refusals, on real etcd with mTLS. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerCoreTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  static Vertx vertx;

  @BeforeAll
  static void bootstrapAndStart() throws Exception {
    CliRunner.Result r = mesh.bootstrap(etcd.endpoints());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("mesh \"test\" bootstrapped").contains("etcd check:        ok");
    mesh.startController();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  private MeshStore asEtcdUser(CertifiedKey identity) {
    return new MeshStore(new EtcdAccess(etcd.endpoints(), identity, mesh.mesh.bundle()).connect());
  }

  @Test
  @Order(1)
  @DisplayName("bootstrap refuses when the mesh exists, and changes nothing in etcd or on disk")
  void bootstrapRefusesExistingMesh() throws Exception {
    long before;
    try (MeshStore root = asEtcdUser(mesh.mesh.etcdRoot)) {
      before = root.revision();
    }
    String[] args = mesh.bootstrapArgs(etcd.endpoints());
    args[args.length - 1] = tmp.resolve("second").toString();
    CliRunner.Result again = new CliRunner(MeshHarness.ENV).run(args);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("mesh: a mesh (\"test\") already exists");
    assertThat(tmp.resolve("second")).doesNotExist();
    try (MeshStore root = asEtcdUser(mesh.mesh.etcdRoot)) {
      assertThat(root.revision()).isEqualTo(before);
    }
  }

  @Test
  @Order(2)
  @DisplayName("etcd: the controller's user reads meshfed/; a mesh certificate of another user cannot read it; a foreign CA cannot even connect")
  void etcdAccessIsLeastPrivilege() throws Exception {
    CertificateIssuer issuer = CertificateIssuer.systemDefault();
    CertifiedKey intruder = issuer.issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("intruder"), KeyType.EC_P256);
    try (MeshStore s = asEtcdUser(intruder)) {
      assertThatThrownBy(() -> s.get(MeshKeys.MESH)).hasMessageContaining("permission denied");
    }
    MeshPki foreign = MeshPki.create(issuer, "other", KeyType.EC_P256);
    CertifiedKey stranger = issuer.issueLeaf(foreign.root(), LeafSpec.client("meshfed-controller"), KeyType.EC_P256);
    try (Client c = new EtcdAccess(etcd.endpoints(), stranger, mesh.mesh.bundle()).connect()) {
      assertThatThrownBy(() -> c.getKVClient().get(ByteSequence.from(MeshKeys.MESH, StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS))
          .isNotNull();
    }
    CertifiedKey controllerUser = issuer.issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("meshfed-controller"), KeyType.EC_P256);
    try (MeshStore s = asEtcdUser(controllerUser)) {
      assertThat(s.mesh()).get().extracting(m -> m.name()).isEqualTo("test");
      assertThatThrownBy(() -> s.get("other/key")).hasMessageContaining("permission denied");
    }
  }

  @Test
  @Order(3)
  @DisplayName("tokens: create prints id.secret and the CA hash; stored hashed with a lease; list hides secrets; revoke removes")
  void tokenLifecycle() throws Exception {
    CliRunner cli = mesh.cli();
    CliRunner.Result created = cli.run("token", "create", "--ttl", "10m", "--uses", "2", "-o", "json");
    assertThat(created.exit()).as(created.toString()).isZero();
    JsonNode t = new ObjectMapper().readTree(created.out());
    String token = t.get("token").asText();
    assertThat(token).matches("[a-z0-9]{6}\\.[a-z0-9]{16}");
    assertThat(t.get("caHash").asText()).startsWith("sha256:");
    String id = token.substring(0, 6);
    String secret = token.substring(7);

    try (MeshStore root = asEtcdUser(mesh.mesh.etcdRoot)) {
      var kv = root.get(MeshKeys.token(id)).orElseThrow();
      assertThat(kv.getValue().toString(StandardCharsets.UTF_8)).doesNotContain(secret).contains("secretSha256");
      assertThat(kv.getLease()).isNotZero();
    }
    CliRunner.Result list = cli.run("token", "list");
    assertThat(list.out()).contains(id).doesNotContain(secret);
    assertThat(cli.run("token", "revoke", id).exit()).isZero();
    assertThat(cli.run("token", "list").out()).doesNotContain(id);
    CliRunner.Result again = cli.run("token", "revoke", id);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("no token with id");
  }

  @Test
  @Order(3)
  @DisplayName("a token past its expiry is refused as expired even while etcd still holds it")
  void expiredTokenRefused() throws Exception {
    CliRunner.Result created = mesh.cli().run("token", "create", "--ttl", "2m", "-o", "json");
    String token = new ObjectMapper().readTree(created.out()).get("token").asText();
    try (MeshStore root = asEtcdUser(mesh.mesh.etcdRoot)) {
      var later = new io.meshfed.controller.tokens.TokenService(root, java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(3)));
      assertThatThrownBy(() -> later.authenticate(token, "c1")).hasMessageContaining("token: expired at");
      var now = new io.meshfed.controller.tokens.TokenService(root, java.time.Clock.systemUTC());
      assertThat(now.authenticate(token, "c1").value().usesLeft()).isEqualTo(1);
    }
  }

  @Test
  @Order(4)
  @DisplayName("token create refuses bad flags with the field named")
  void tokenBadInput() {
    CliRunner cli = mesh.cli();
    assertThat(cli.run("token", "create", "--ttl", "forever").err()).contains("ttl");
    assertThat(cli.run("token", "create", "--ttl", "48h").err()).contains("ttl: must be between 1m and 24h");
    assertThat(cli.run("token", "create", "--uses", "0").err()).contains("uses");
    assertThat(cli.run("token", "create", "--cluster-name", "Prod_1").err()).contains("cluster-name");
    assertThat(cli.run("token", "revoke", "x").exit()).isEqualTo(2);
  }

  private int[] status(String method, String path, String body, CertifiedKey identity) throws Exception {
    HttpClientOptions o = identity == null
        ? new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustOptions(io.meshfed.api.tls.MeshTls.trustOptions(mesh.mesh.bundle()))
        : io.meshfed.api.tls.MeshTls.mutualTlsClient(new HttpClientOptions(), identity, mesh.mesh.bundle());
    var client = vertx.createHttpClient(o);
    try {
      RequestOptions ro = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("localhost").setPort(Integer.parseInt(mesh.url().replaceAll(".*:", ""))).setURI(path);
      var resp = client.request(ro).compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(r -> r.body().map(b -> new Object[] {r.statusCode(), b.toString()}))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      lastBody = (String) resp[1];
      return new int[] {(Integer) resp[0]};
    } finally {
      client.close();
    }
  }

  private String lastBody;

  @Test
  @Order(5)
  @DisplayName("API: liveness and readiness; admin endpoints refuse no certificate (401) and a non-admin certificate (403); JSON errors name the field")
  void apiRefusals() throws Exception {
    assertThat(status("GET", "/livez", null, null)[0]).isEqualTo(200);
    assertThat(status("GET", "/readyz", null, null)[0]).isEqualTo(200);
    assertThat(status("GET", "/api/v1/clusters", null, null)[0]).isEqualTo(401);
    assertThat(lastBody).contains("\"code\":\"Unauthorized\"");
    CertifiedKey agent = CertificateIssuer.systemDefault().issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("agent.c1"), KeyType.EC_P256);
    assertThat(status("GET", "/api/v1/clusters", null, agent)[0]).isEqualTo(403);
    assertThat(status("POST", "/api/v1/join", "{not json", null)[0]).isEqualTo(400);
    assertThat(lastBody).contains("\"field\":\"body\"").contains("malformed JSON");
    assertThat(status("POST", "/api/v1/join", "{\"clusterName\":\"c1\",\"bogus\":1}", null)[0]).isEqualTo(400);
    assertThat(lastBody).contains("\"field\":\"bogus\"").contains("unknown field");
    assertThat(status("POST", "/api/v1/join", "{\"clusterName\":\"c1\"}", null)[0]).isEqualTo(401);
    assertThat(lastBody).contains("Bearer");
    assertThat(status("POST", "/api/v1/join", "{\"clusterId\":\"x\"}", null)[0]).isEqualTo(400);
    assertThat(lastBody).contains("\"field\":\"clusterId\"");
    assertThat(status("POST", "/api/v1/join", "{\"clusterName\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}", null)[0]).isEqualTo(413);
    assertThat(status("GET", "/api/v1/nothing", null, null)[0]).isEqualTo(404);
    assertThat(TrustBundle.class).isNotNull();
  }
}
