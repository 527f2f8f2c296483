package io.meshfed.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.agent.testing.TestPki;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.LeafSpec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server connection as in a pod (https, the cluster CA, a bearer token) works in FIPS
 * approved-only mode: fabric8's JDK HTTP client on BCJSSE. The simulated clusters speak plain http,
 * so this path needs its own server.
 */
class KubeAccessTlsTest {
  @TempDir static Path tmp;
  static Vertx vertx;
  static HttpServer server;
  static TestPki pki;

  @BeforeAll
  static void setUp() throws Exception {
    pki = new TestPki();
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
            .setKeyCertOptions(MeshTls.keyCertOptions(pki.server("kubernetes", LeafSpec.Kind.SERVER)))
            .setEnabledSecureTransportProtocols(MeshTls.PROTOCOLS))
        .requestHandler(req -> {
          if (!"Bearer sa-token".equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end("{\"kind\":\"Status\",\"message\":\"Unauthorized\",\"code\":401}");
          } else if (req.path().equals("/version")) {
            req.response().putHeader("Content-Type", "application/json").end("{\"gitVersion\":\"v1.31.2\"}");
          } else {
            req.response().setStatusCode(403).end("{\"kind\":\"Status\",\"message\":\"secrets \\\"x\\\" is forbidden\",\"code\":403}");
          }
        });
    server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Path kubeconfig(String token) throws Exception {
    String ca = Base64.getEncoder().encodeToString(pki.bundle().toPem().getBytes(StandardCharsets.US_ASCII));
    return Files.writeString(tmp.resolve("kubeconfig-" + token), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: m
          cluster: {server: "https://127.0.0.1:%d", certificate-authority-data: %s}
        users:
        - name: u
          user: {token: %s}
        contexts:
        - name: m
          context: {cluster: m, user: u}
        current-context: m
        """.formatted(server.actualPort(), ca, token));
  }

  @Test
  @DisplayName("https with the cluster CA and a bearer token: GET /version answers; 401 and 403 become KubeExceptions with the code")
  void httpsWithToken() throws Exception {
    try (KubeAccess kube = KubeAccess.connect(Optional.of(kubeconfig("sa-token")), Map.of())) {
      assertThat(kube.get("/version")).hasValueSatisfying(v -> assertThat(v.path("gitVersion").asText()).isEqualTo("v1.31.2"));
      assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(KubeException.class,
          () -> kube.get("/api/v1/namespaces/kube-system/secrets/x")))
          .satisfies(e -> assertThat(e.code()).isEqualTo(403))
          .hasMessage("GET /api/v1/namespaces/kube-system/secrets/x: HTTP 403: secrets \"x\" is forbidden");
    }
    try (KubeAccess kube = KubeAccess.connect(Optional.of(kubeconfig("wrong")), Map.of())) {
      assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(KubeException.class, () -> kube.get("/version")).code()).isEqualTo(401);
    }
  }

  @Test
  @DisplayName("in a pod: KUBERNETES_SERVICE_HOST/PORT, the mounted CA, and the token file read for every request (it rotates)")
  void inCluster() throws Exception {
    Path sa = Files.createDirectories(tmp.resolve("serviceaccount"));
    Files.writeString(sa.resolve("ca.crt"), pki.bundle().toPem());
    Files.writeString(sa.resolve("token"), "expired-token\n");
    Map<String, String> env = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", Integer.toString(server.actualPort()));
    try (KubeAccess kube = KubeAccess.create(KubeAccess.configure(Optional.empty(), env, sa))) {
      assertThat(kube.server()).isEqualTo("https://127.0.0.1:" + server.actualPort());
      assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(KubeException.class, () -> kube.get("/version")).code()).isEqualTo(401);
      Files.writeString(sa.resolve("token"), "sa-token\n");
      assertThat(kube.get("/version")).isPresent();
    }
  }

  @Test
  @DisplayName("a server whose certificate does not chain to the kubeconfig's CA is refused (no answer, code 0)")
  void untrustedServer() throws Exception {
    TestPki other = new TestPki();
    String ca = Base64.getEncoder().encodeToString(other.bundle().toPem().getBytes(StandardCharsets.US_ASCII));
    Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig-foreign"), Files.readString(kubeconfig("sa-token"))
        .replaceAll("certificate-authority-data: [A-Za-z0-9+/=]+", "certificate-authority-data: " + ca));
    try (KubeAccess kube = KubeAccess.connect(Optional.of(kubeconfig), Map.of())) {
      KubeException e = org.assertj.core.api.Assertions.catchThrowableOfType(KubeException.class, () -> kube.get("/version"));
      assertThat(e.code()).isZero();
      assertThat(e.getMessage()).startsWith("GET /version at https://127.0.0.1:" + server.actualPort());
    }
  }
}
