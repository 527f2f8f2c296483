package io.meshfed.simcluster.auth;

/**
 * What a request asks to do, in the terms authorization uses (the API server's
 * {@code authorizer.Attributes} without the user). Either a resource request (verb, group,
 * resource, subresource, namespace, name) or a non-resource request (verb and path, e.g.
 * {@code get /version}). Empty strings, never null, for what the request does not name.
 */
public record RequestInfo(boolean resourceRequest, String verb, String path, String apiGroup, String apiVersion,
    String resource, String subresource, String namespace, String name) {

  public RequestInfo {
    verb = orEmpty(verb);
    path = orEmpty(path);
    apiGroup = orEmpty(apiGroup);
    apiVersion = orEmpty(apiVersion);
    resource = orEmpty(resource);
    subresource = orEmpty(subresource);
    namespace = orEmpty(namespace);
    name = orEmpty(name);
  }

  public static RequestInfo resource(String verb, String apiGroup, String resource, String subresource,
      String namespace, String name) {
    return new RequestInfo(true, verb, "", apiGroup, "", resource, subresource, namespace, name);
  }

  public static RequestInfo nonResource(String verb, String path) {
    return new RequestInfo(false, verb, path, "", "", "", "", "", "");
  }

  /** {@code secrets} or, with a subresource, {@code serviceaccounts/token}: what RBAC rules list. */
  public String resourceWithSubresource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }

  public boolean isWrite() {
    return switch (verb) {
      case "create", "update", "patch", "delete", "deletecollection" -> true;
      default -> false;
    };
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
