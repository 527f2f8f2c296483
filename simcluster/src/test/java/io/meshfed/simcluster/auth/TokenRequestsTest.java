package io.meshfed.simcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenRequest and SelfSubjectAccessReview bodies are answered as kube-apiserver answers them")
class TokenRequestsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final ServiceAccountTokens tokens = new ServiceAccountTokens(clock);
  private final ServiceAccountTokens.ServiceAccountLookup lookup =
      (ns, name) -> Map.of("meshfed/controller", "uid-1").get(ns + "/" + name);
  private final TokenRequests requests = new TokenRequests(tokens, lookup, clock);
  private final RequestInfo controllerToken = RequestInfoResolver.resolve("POST",
      "/api/v1/namespaces/meshfed/serviceaccounts/controller/token");

  @Test
  @DisplayName("201 with a token valid for expirationSeconds (default 3600) and the API audience by default")
  void issues() {
    JsonNode defaulted = body(requests.handle(controllerToken, ""), 201);
    assertThat(defaulted.path("status").path("expirationTimestamp").asText()).isEqualTo("2025-01-01T01:00:00Z");
    assertThat(defaulted.path("spec").path("expirationSeconds").asLong()).isEqualTo(3600);
    assertThat(defaulted.path("spec").path("audiences").get(0).asText())
        .isEqualTo(ServiceAccountTokens.API_AUDIENCE);
    assertThat(defaulted.path("metadata").path("name").asText()).isEqualTo("controller");
    String token = defaulted.path("status").path("token").asText();
    assertThat(tokens.authenticate(token, lookup)).contains(UserInfo.serviceAccount("meshfed", "controller"));

    JsonNode tenMinutes = body(requests.handle(controllerToken,
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"expirationSeconds\":600}}"),
        201);
    assertThat(tenMinutes.path("status").path("expirationTimestamp").asText()).isEqualTo("2025-01-01T00:10:00Z");
    assertThat(tenMinutes.path("status").path("token").asText()).isNotEqualTo(token);
  }

  @Test
  @DisplayName("expirationSeconds below 600 is 422 Invalid with the API server's wording")
  void tooShort() {
    JsonNode status = body(requests.handle(controllerToken, "{\"spec\":{\"expirationSeconds\":599}}"), 422);
    assertThat(status.path("reason").asText()).isEqualTo("Invalid");
    assertThat(status.path("message").asText()).isEqualTo("TokenRequest.authentication.k8s.io \"\" is invalid:"
        + " spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes");
  }

  @Test
  @DisplayName("a missing ServiceAccount is 404; a body naming another ServiceAccount is 422")
  void missingOrMismatched() {
    RequestInfo other = RequestInfoResolver.resolve("POST", "/api/v1/namespaces/meshfed/serviceaccounts/nobody/token");
    JsonNode notFound = body(requests.handle(other, "{}"), 404);
    assertThat(notFound.path("message").asText()).isEqualTo("serviceaccounts \"nobody\" not found");
    assertThat(notFound.path("reason").asText()).isEqualTo("NotFound");

    JsonNode mismatch = body(requests.handle(controllerToken, "{\"metadata\":{\"name\":\"other\"}}"), 422);
    assertThat(mismatch.path("message").asText()).contains("metadata.name: Invalid value: other");
    body(requests.handle(controllerToken, "not json"), 400);
  }

  @Test
  @DisplayName("a SelfSubjectAccessReview answers with the caller's own authorization, reason included")
  void selfSubjectAccessReview() {
    RbacPolicy policy = BootstrapPolicy.addTo(RbacPolicy.builder()
        .role("meshfed", "r", List.of(PolicyRule.resourceRule(List.of(""), List.of("secrets"), List.of("get"))))
        .binding(Binding.roleBinding("meshfed", "rb", Binding.ROLE, "r",
            List.of(Subject.serviceAccount("meshfed", "controller"))))).build();
    SelfSubjectAccessReviews reviews = new SelfSubjectAccessReviews(new Authorizer(() -> policy));
    UserInfo controller = UserInfo.serviceAccount("meshfed", "controller");

    JsonNode allowed = body(reviews.handle(controller, "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"meshfed\","
        + "\"verb\":\"get\",\"resource\":\"secrets\",\"name\":\"x\"}}}"), 201);
    assertThat(allowed.path("status").path("allowed").asBoolean()).isTrue();
    assertThat(allowed.path("status").path("reason").asText())
        .startsWith("RBAC: allowed by RoleBinding \"rb/meshfed\"");
    assertThat(allowed.path("kind").asText()).isEqualTo("SelfSubjectAccessReview");

    JsonNode denied = body(reviews.handle(controller, "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"meshfed\","
        + "\"verb\":\"list\",\"resource\":\"secrets\"}}}"), 201);
    assertThat(denied.path("status").path("allowed").asBoolean()).isFalse();

    JsonNode path = body(reviews.handle(controller, "{\"spec\":{\"nonResourceAttributes\":{\"verb\":\"get\","
        + "\"path\":\"/version\"}}}"), 201);
    assertThat(path.path("status").path("allowed").asBoolean()).isTrue();

    body(reviews.handle(controller, "{\"spec\":{}}"), 422);
  }

  private static JsonNode body(MockResponse response, int expectedCode) {
    String body = response.getBody().readUtf8();
    assertThat(response.code()).as(body).isEqualTo(expectedCode);
    try {
      return JsonBodies.JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError(body, e);
    }
  }
}
