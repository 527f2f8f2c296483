package io.meshfed.simcluster.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The TokenRequest API ({@code POST /api/v1/namespaces/NS/serviceaccounts/NAME/token}, the
 * {@code serviceaccounts/token} subresource), answered as kube-apiserver does
 * (pkg/registry/core/serviceaccount/storage/token.go). Authorization ({@code create} on
 * {@code serviceaccounts/token}, resourceName NAME) has happened before, like any request:
 * <ol>
 *   <li>metadata.name/namespace in the body, if set, must match the URL (422);</li>
 *   <li>the ServiceAccount must exist (404 {@code serviceaccounts "NAME" not found});</li>
 *   <li>{@code spec.expirationSeconds} defaults to 3600 and must be at least 600 (422
 *       {@code may not specify a duration less than 10 minutes}) and at most 2^32;</li>
 *   <li>{@code spec.audiences} defaults to the API server's audience;</li>
 *   <li>201 with the TokenRequest, {@code status.token} (opaque, random) and
 *       {@code status.expirationTimestamp} = now + expirationSeconds.</li>
 * </ol>
 * {@code spec.boundObjectRef} is echoed but not enforced: the token is bound to its ServiceAccount
 * only.
 */
public final class TokenRequests {

  static final long DEFAULT_EXPIRATION_SECONDS = 3600;
  static final long MIN_EXPIRATION_SECONDS = 600;
  static final long MAX_EXPIRATION_SECONDS = 1L << 32;
  private static final String GROUP = "authentication.k8s.io";
  private static final String KIND = "TokenRequest";

  private final ServiceAccountTokens tokens;
  private final ServiceAccountTokens.ServiceAccountLookup serviceAccounts;
  private final Clock clock;

  public TokenRequests(ServiceAccountTokens tokens, ServiceAccountTokens.ServiceAccountLookup serviceAccounts,
      Clock clock) {
    this.tokens = tokens;
    this.serviceAccounts = serviceAccounts;
    this.clock = clock;
  }

  public static boolean isTokenRequest(RequestInfo request) {
    return request.resourceRequest() && "create".equals(request.verb()) && request.apiGroup().isEmpty()
        && "serviceaccounts".equals(request.resource()) && "token".equals(request.subresource())
        && !request.namespace().isEmpty() && !request.name().isEmpty();
  }

  public MockResponse handle(RequestInfo request, String body) {
    String namespace = request.namespace();
    String name = request.name();
    ObjectNode tokenRequest;
    try {
      tokenRequest = JsonBodies.object(body);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return KubernetesStatus.badRequest("the body of the TokenRequest is not a JSON object: " + e.getMessage());
    }
    ObjectNode metadata = JsonBodies.child(tokenRequest, "metadata");
    String bodyName = JsonBodies.text(metadata, "name");
    if (!bodyName.isEmpty() && !bodyName.equals(name)) {
      return KubernetesStatus.invalidValue(GROUP, KIND, name, "metadata.name", bodyName,
          "must match the service account name if specified");
    }
    String bodyNamespace = JsonBodies.text(metadata, "namespace");
    if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
      return KubernetesStatus.invalidValue(GROUP, KIND, name, "metadata.namespace", bodyNamespace,
          "must match the service account namespace if specified");
    }
    String uid = serviceAccounts.uidOf(namespace, name);
    if (uid == null) {
      return KubernetesStatus.notFound("", "serviceaccounts", name);
    }

    ObjectNode spec = JsonBodies.child(tokenRequest, "spec");
    JsonNode requestedSeconds = spec.get("expirationSeconds");
    long seconds;
    if (requestedSeconds == null || requestedSeconds.isNull()) {
      seconds = DEFAULT_EXPIRATION_SECONDS;
    } else if (requestedSeconds.canConvertToLong() && requestedSeconds.isIntegralNumber()) {
      seconds = requestedSeconds.asLong();
    } else {
      return KubernetesStatus.badRequest("spec.expirationSeconds: not a whole number: " + requestedSeconds);
    }
    if (seconds < MIN_EXPIRATION_SECONDS) {
      return KubernetesStatus.invalidValue(GROUP, KIND, "", "spec.expirationSeconds", seconds,
          "may not specify a duration less than 10 minutes");
    }
    if (seconds > MAX_EXPIRATION_SECONDS) {
      return KubernetesStatus.invalidValue(GROUP, KIND, "", "spec.expirationSeconds", seconds,
          "may not specify a duration larger than 2^32 seconds");
    }
    List<String> audiences = JsonBodies.texts(spec, "audiences");
    if (audiences.isEmpty()) {
      audiences = List.of(ServiceAccountTokens.API_AUDIENCE);
    }

    String created = JsonBodies.timestamp(clock.instant());
    ServiceAccountTokens.Issued issued = tokens.issue(namespace, name, uid, Duration.ofSeconds(seconds), audiences);

    tokenRequest.put("kind", KIND);
    tokenRequest.put("apiVersion", GROUP + "/v1");
    metadata.put("name", name);
    metadata.put("namespace", namespace);
    metadata.put("creationTimestamp", created);
    spec.put("expirationSeconds", seconds);
    spec.putArray("audiences").addAll(audiences.stream().map(tokenRequest::textNode).toList());
    ObjectNode status = tokenRequest.putObject("status");
    status.put("token", issued.token());
    status.put("expirationTimestamp", JsonBodies.timestamp(issued.expiry()));
    return KubernetesStatus.json(201, tokenRequest);
  }
}
