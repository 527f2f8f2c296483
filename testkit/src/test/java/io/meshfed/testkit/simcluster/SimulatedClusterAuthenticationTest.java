package io.meshfed.testkit.simcluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Simulated clusters authenticate bearer tokens like an API server")
class SimulatedClusterAuthenticationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private static SimulatedClusters clusters;

  @BeforeAll
  static void startSimulatedClusters() {
    clusters = SimulatedClusters.builder().cluster("auth-a", 11).cluster("auth-b", 12)
        .nodes(1).identities(1).endpoints(1).services(1).start();
  }

  @AfterAll
  static void stopSimulatedClusters() {
    if (clusters != null) {
      clusters.close();
    }
  }

  @Test
  @DisplayName("an unknown token gets 401 with a Status body, on every path (even /version)")
  void unknownTokenIsUnauthorized() throws Exception {
    SimulatedCluster cluster = clusters.cluster("auth-a");
    for (String path : new String[] {"/api/v1/namespaces", "/apis/cilium.io/v2/ciliumidentities", "/version"}) {
      HttpResponse<String> response = get(cluster, path, "made-up-token");
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      JsonNode status = JSON.readTree(response.body());
      assertThat(status.path("kind").asText()).isEqualTo("Status");
      assertThat(status.path("status").asText()).isEqualTo("Failure");
      assertThat(status.path("reason").asText()).isEqualTo("Unauthorized");
      assertThat(status.path("code").asInt()).isEqualTo(401);
    }
  }

  @Test
  @DisplayName("without a token only /version and the health paths answer; the API is 401")
  void anonymousSeesOnlyPublicPaths() throws Exception {
    SimulatedCluster cluster = clusters.cluster("auth-a");
    assertThat(get(cluster, "/version", null).statusCode()).isEqualTo(200);
    assertThat(get(cluster, "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get(cluster, "/readyz", null).statusCode()).isEqualTo(200);
    assertThat(get(cluster, "/apis", null).statusCode()).isEqualTo(401);
    assertThat(get(cluster, "/api/v1/namespaces", null).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("each simulated cluster's admin token is random and works only there")
  void adminTokenIsPerCluster() throws Exception {
    String tokenA = tokenOf(clusters.cluster("auth-a").kubeconfig());
    String tokenB = tokenOf(clusters.cluster("auth-b").kubeconfig());
    assertThat(tokenA).hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(tokenB).doesNotContain("auth-a");
    assertThat(get(clusters.cluster("auth-a"), "/api/v1/namespaces", tokenA).statusCode()).isEqualTo(200);
    assertThat(get(clusters.cluster("auth-b"), "/api/v1/namespaces", tokenA).statusCode()).isEqualTo(401);
    try (KubernetesClient admin = SimulatedClusterClients.connect(clusters.cluster("auth-b"))) {
      assertThat(admin.namespaces().withName("kube-system").get()).isNotNull();
    }
  }

  /** The user's bearer token, read from the kubeconfig text ({@code token: ...}). */
  private static String tokenOf(Path kubeconfig) throws IOException {
    return Files.readAllLines(kubeconfig).stream().map(String::trim).filter(line -> line.startsWith("token: "))
        .map(line -> line.substring("token: ".length())).findFirst()
        .orElseThrow(() -> new AssertionError("no token in " + kubeconfig));
  }

  private static HttpResponse<String> get(SimulatedCluster cluster, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.apiServerUrl() + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
