package io.meshfed.testkit.simcluster;

import static io.meshfed.testkit.simcluster.RbacFixtures.failureOf;
import static io.meshfed.testkit.simcluster.RbacFixtures.mayI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenRequest tokens of a simulated cluster expire and die with their ServiceAccount")
class SimulatedClusterServiceAccountTokenTest {

  private static final String CLUSTER = "tokens";

  private static SimulatedClusters clusters;
  private static KubernetesClient admin;
  private static RbacFixtures fixtures;

  @BeforeAll
  static void startSimulatedCluster() {
    clusters = SimulatedClusters.builder().cluster(CLUSTER, 31).nodes(1).identities(1).endpoints(1).services(1)
        .start();
    admin = SimulatedClusterClients.connect(clusters.cluster(CLUSTER));
    fixtures = new RbacFixtures(admin);
  }

  @AfterAll
  static void stopSimulatedCluster() {
    if (admin != null) {
      admin.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }

  @Test
  @DisplayName("expirationTimestamp is now + expirationSeconds, 3600 by default")
  void expirationTimestamp() {
    String ns = "token-expiry";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    Instant asked = Instant.now();
    TokenRequest defaulted = fixtures.requestToken(ns, "controller", null);
    TokenRequest tenMinutes = fixtures.requestToken(ns, "controller", 600L);
    assertThat(Instant.parse(defaulted.getStatus().getExpirationTimestamp()))
        .isCloseTo(asked.plusSeconds(3600), within(30, ChronoUnit.SECONDS));
    assertThat(Instant.parse(tenMinutes.getStatus().getExpirationTimestamp()))
        .isCloseTo(asked.plusSeconds(600), within(30, ChronoUnit.SECONDS));
    assertThat(defaulted.getSpec().getExpirationSeconds()).isEqualTo(3600L);
    assertThat(defaulted.getStatus().getToken()).isNotEqualTo(tenMinutes.getStatus().getToken());
  }

  @Test
  @DisplayName("expirationSeconds below 600 is refused with 422, as the API server's validation does")
  void expirationBelowTenMinutesIsRefused() {
    String ns = "token-short";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    KubernetesClientException refused = failureOf(() -> fixtures.requestToken(ns, "controller", 599L));
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getReason()).isEqualTo("Invalid");
    assertThat(refused.getStatus().getMessage()).contains("spec.expirationSeconds: Invalid value: 599: may not"
        + " specify a duration less than 10 minutes");
  }

  @Test
  @DisplayName("a TokenRequest for a ServiceAccount that does not exist is 404")
  void missingServiceAccount() {
    KubernetesClientException missing = failureOf(() -> fixtures.requestToken("default", "nobody", 600L));
    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getStatus().getMessage()).isEqualTo("serviceaccounts \"nobody\" not found");
  }

  @Test
  @DisplayName("deleting the ServiceAccount makes its tokens 401, also after one of the same name is created again")
  void deletingServiceAccountRevokesItsTokens() {
    String ns = "token-revoke";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    String token = fixtures.requestToken(ns, "controller", 600L).getStatus().getToken();
    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), token)) {
      assertThat(mayI(controller, "get", "secrets", ns, "x")).as("authenticated, not authorized").isFalse();

      admin.serviceAccounts().inNamespace(ns).withName("controller").delete();
      assertThat(failureOf(() -> mayI(controller, "get", "secrets", ns, "x")).getCode()).isEqualTo(401);

      fixtures.serviceAccount(ns, "controller");
      assertThat(failureOf(() -> mayI(controller, "get", "secrets", ns, "x")).getCode())
          .as("a new ServiceAccount of the same name has a new uid").isEqualTo(401);
    }
  }

  @Test
  @DisplayName("expireServiceAccountTokens makes every issued token 401; a token requested afterwards works")
  void expireTokensCommand() {
    String ns = "token-expire-now";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    String token = fixtures.requestToken(ns, "controller", 3600L).getStatus().getToken();
    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), token)) {
      assertThat(mayI(controller, "get", "secrets", ns, "x")).isFalse();

      assertThat(clusters.expireServiceAccountTokens(CLUSTER)).isPositive();

      KubernetesClientException expired = failureOf(() -> mayI(controller, "get", "secrets", ns, "x"));
      assertThat(expired.getCode()).isEqualTo(401);
      assertThat(expired.getStatus().getReason()).isEqualTo("Unauthorized");
    }
    String renewed = fixtures.requestToken(ns, "controller", 3600L).getStatus().getToken();
    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), renewed)) {
      assertThat(mayI(controller, "get", "secrets", ns, "x")).isFalse();
    }
  }
}
