package io.meshfed.simcluster.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * {@code POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews}: "may I do this?" for the
 * calling user, answered by the same {@link Authorizer} that guards every request, so the answer
 * always matches what the request itself would get. {@code spec.resourceAttributes} (namespace,
 * verb, group, resource, subresource, name) or {@code spec.nonResourceAttributes} (path, verb),
 * exactly one of them. 201 with {@code status.allowed} and {@code status.reason}.
 */
public final class SelfSubjectAccessReviews {

  private static final String GROUP = "authorization.k8s.io";
  private static final String KIND = "SelfSubjectAccessReview";

  private final Authorizer authorizer;

  public SelfSubjectAccessReviews(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  public static boolean isSelfSubjectAccessReview(RequestInfo request) {
    return request.resourceRequest() && "create".equals(request.verb()) && GROUP.equals(request.apiGroup())
        && "selfsubjectaccessreviews".equals(request.resource()) && request.name().isEmpty();
  }

  public MockResponse handle(UserInfo user, String body) {
    ObjectNode review;
    try {
      review = JsonBodies.object(body);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return KubernetesStatus.badRequest("the body of the SelfSubjectAccessReview is not a JSON object: "
          + e.getMessage());
    }
    ObjectNode spec = JsonBodies.child(review, "spec");
    JsonNode resource = spec.get("resourceAttributes");
    JsonNode nonResource = spec.get("nonResourceAttributes");
    boolean hasResource = resource != null && resource.isObject();
    boolean hasNonResource = nonResource != null && nonResource.isObject();
    if (hasResource == hasNonResource) {
      return hasResource
          ? KubernetesStatus.invalidValue(GROUP, KIND, "", "spec.nonResourceAttributes", nonResource,
              "cannot be specified in combination with resourceAttributes")
          : KubernetesStatus.requiredValue(GROUP, KIND, "", "spec.resourceAttributes",
              "exactly one of nonResourceAttributes or resourceAttributes must be specified");
    }
    RequestInfo asked = hasResource
        ? RequestInfo.resource(JsonBodies.text(resource, "verb"), JsonBodies.text(resource, "group"),
            JsonBodies.text(resource, "resource"), JsonBodies.text(resource, "subresource"),
            JsonBodies.text(resource, "namespace"), JsonBodies.text(resource, "name"))
        : RequestInfo.nonResource(JsonBodies.text(nonResource, "verb"), JsonBodies.text(nonResource, "path"));
    Decision decision = authorizer.authorize(user, asked);

    review.put("kind", KIND);
    review.put("apiVersion", GROUP + "/v1");
    JsonBodies.child(review, "metadata");
    ObjectNode status = review.putObject("status");
    status.put("allowed", decision.allowed());
    if (!decision.reason().isEmpty()) {
      status.put("reason", decision.reason());
    }
    return KubernetesStatus.json(201, review);
  }
}
