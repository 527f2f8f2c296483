package io.meshfed.simcluster.auth;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failure answers with the {@code Status} body a real API server sends, so that clients (fabric8,
 * client-go, kubectl) report them the same way: code, reason and a message worded like the API
 * server's.
 */
public final class KubernetesStatus {

  static final int UNPROCESSABLE_ENTITY = 422;

  private KubernetesStatus() {
  }

  public static MockResponse unauthorized() {
    return failure(401, "Unauthorized", "Unauthorized", null);
  }

  /**
   * 403 worded as the API server's Forbidden: {@code secrets "y" is forbidden: User "u" cannot get
   * resource "secrets" in API group "" in the namespace "ns"}, then {@code : REASON} if any.
   */
  public static MockResponse forbidden(UserInfo user, RequestInfo request, String reason) {
    String why = reason.isEmpty() ? cannot(user, request) : cannot(user, request) + ": " + reason;
    if (!request.resourceRequest()) {
      return failure(403, "Forbidden", "forbidden: " + why, null);
    }
    String message = request.name().isEmpty()
        ? qualified(request) + " is forbidden: " + why
        : qualified(request) + " \"" + request.name() + "\" is forbidden: " + why;
    Map<String, Object> details = new LinkedHashMap<>();
    if (!request.name().isEmpty()) {
      details.put("name", request.name());
    }
    if (!request.apiGroup().isEmpty()) {
      details.put("group", request.apiGroup());
    }
    details.put("kind", request.resource());
    return failure(403, "Forbidden", message, details);
  }

  public static MockResponse notFound(String group, String resource, String name) {
    String qualified = group.isEmpty() ? resource : resource + "." + group;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    if (!group.isEmpty()) {
      details.put("group", group);
    }
    details.put("kind", resource);
    return failure(404, "NotFound", qualified + " \"" + name + "\" not found", details);
  }

  /**
   * 404 for an API the simulated cluster does not serve (e.g. TokenReview), worded as the API
   * server's answer for a resource it does not know, plus why.
   */
  public static MockResponse notServed(RequestInfo request) {
    return failure(404, "NotFound", "the server could not find the requested resource (" + request.verb() + " "
        + qualified(request) + "): the simulated cluster does not serve this API", null);
  }

  /** 422 Invalid, "Invalid value: V: DETAIL" for one field, as the API server's validation answers. */
  public static MockResponse invalidValue(String group, String kind, String name, String field, Object value,
      String detail) {
    return fieldError(group, kind, name, field, "FieldValueInvalid", "Invalid value: " + value + ": " + detail);
  }

  /** 422 Invalid, "Required value: DETAIL" for one field. */
  public static MockResponse requiredValue(String group, String kind, String name, String field, String detail) {
    return fieldError(group, kind, name, field, "FieldValueRequired", "Required value: " + detail);
  }

  private static MockResponse fieldError(String group, String kind, String name, String field, String causeReason,
      String cause) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    details.put("group", group);
    details.put("kind", kind);
    details.put("causes", List.of(Map.of("reason", causeReason, "message", cause, "field", field)));
    return failure(UNPROCESSABLE_ENTITY, "Invalid",
        kind + "." + group + " \"" + name + "\" is invalid: " + field + ": " + cause, details);
  }

  public static MockResponse badRequest(String message) {
    return failure(400, "BadRequest", message, null);
  }

  /** A JSON object answer, e.g. 201 with the created TokenRequest. */
  public static MockResponse json(int code, Object body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(body));
  }

  /** {@code secrets}, {@code roles.rbac.authorization.k8s.io}: a GroupResource as the API server writes it. */
  private static String qualified(RequestInfo request) {
    return request.apiGroup().isEmpty() ? request.resource() : request.resource() + "." + request.apiGroup();
  }

  /** As the API server's forbiddenMessage. */
  private static String cannot(UserInfo user, RequestInfo request) {
    String who = "User \"" + user.name() + "\" cannot " + request.verb();
    if (!request.resourceRequest()) {
      return who + " path \"" + request.path() + "\"";
    }
    String what = who + " resource \"" + request.resourceWithSubresource() + "\" in API group \""
        + request.apiGroup() + "\"";
    return request.namespace().isEmpty()
        ? what + " at the cluster scope"
        : what + " in the namespace \"" + request.namespace() + "\"";
  }

  private static MockResponse failure(int code, String reason, String message, Map<String, Object> details) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (details != null) {
      status.put("details", details);
    }
    status.put("code", code);
    return json(code, status);
  }
}
