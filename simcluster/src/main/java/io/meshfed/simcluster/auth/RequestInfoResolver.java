package io.meshfed.simcluster.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns an HTTP method and request URI into a {@link RequestInfo} the way the API server's
 * {@code RequestInfoFactory} (k8s.io/apiserver, endpoints/request/requestinfo.go) does, so that
 * RBAC rules mean here what they mean in a real cluster:
 * <ul>
 *   <li>{@code /api/v1/...} (core group) and {@code /apis/GROUP/VERSION/...} are resource requests;
 *       anything shorter or elsewhere ({@code /version}, {@code /apis/cilium.io/v2}) is a
 *       non-resource request whose verb is the lower-case HTTP method;</li>
 *   <li>POST = create, GET/HEAD = get, PUT = update, PATCH = patch, DELETE = delete; a GET without a
 *       name is list, or watch with {@code ?watch} (any value but {@code 0}/{@code false}); a DELETE
 *       without a name is deletecollection; the old {@code /watch/} and {@code /proxy/} path verbs
 *       too;</li>
 *   <li>{@code namespaces/NS/RESOURCE/NAME/SUBRESOURCE}; {@code namespaces/NS/status} and
 *       {@code /finalize} are subresources of the namespace itself;</li>
 *   <li>a list or watch with {@code fieldSelector=metadata.name=X} names X, so rules with
 *       resourceNames can allow it, as they do in a real cluster.</li>
 * </ul>
 */
public final class RequestInfoResolver {

  private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
  private static final String NAME_FIELD = "metadata.name";

  private RequestInfoResolver() {
  }

  public static RequestInfo resolve(String method, String uri) {
    int queryStart = uri.indexOf('?');
    String path = decodePath(queryStart < 0 ? uri : uri.substring(0, queryStart));
    String query = queryStart < 0 ? "" : uri.substring(queryStart + 1);
    String httpVerb = method.toLowerCase(Locale.ROOT);

    List<String> parts = splitPath(path);
    if (parts.size() < 3 || !("api".equals(parts.get(0)) || "apis".equals(parts.get(0)))) {
      return RequestInfo.nonResource(httpVerb, path);
    }
    String prefix = parts.get(0);
    String apiGroup = "";
    parts = parts.subList(1, parts.size());
    if ("apis".equals(prefix)) {
      if (parts.size() < 3) {
        return RequestInfo.nonResource(httpVerb, path);
      }
      apiGroup = parts.get(0);
      parts = parts.subList(1, parts.size());
    }
    String apiVersion = parts.get(0);
    parts = parts.subList(1, parts.size());

    String verb;
    boolean verbFromPath = SPECIAL_VERBS.contains(parts.get(0));
    if (verbFromPath) {
      if (parts.size() < 2) {
        return RequestInfo.nonResource(httpVerb, path);
      }
      verb = parts.get(0);
      parts = parts.subList(1, parts.size());
    } else {
      verb = verbOfMethod(method);
    }

    String namespace = "";
    if ("namespaces".equals(parts.get(0)) && parts.size() > 1) {
      namespace = parts.get(1);
      if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
        parts = parts.subList(2, parts.size());
      }
    }

    String resource = parts.get(0);
    String name = parts.size() >= 2 ? parts.get(1) : "";
    String subresource = parts.size() >= 3 && !"proxy".equals(verb) ? parts.get(2) : "";

    if (name.isEmpty() && "get".equals(verb)) {
      verb = isWatch(query) ? "watch" : "list";
      name = nameFromFieldSelector(query);
    }
    if (name.isEmpty() && "delete".equals(verb)) {
      verb = "deletecollection";
    }
    return new RequestInfo(true, verb, path, apiGroup, apiVersion, resource, subresource, namespace, name);
  }

  private static String verbOfMethod(String method) {
    return switch (method.toUpperCase(Locale.ROOT)) {
      case "POST" -> "create";
      case "GET", "HEAD" -> "get";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "";
    };
  }

  /** The API server decodes {@code watch} as a bool where only "0" and "false" mean false. */
  private static boolean isWatch(String query) {
    List<String> values = queryValues(query, "watch");
    if (values.isEmpty()) {
      return false;
    }
    String value = values.get(0);
    return !("0".equals(value) || "false".equalsIgnoreCase(value));
  }

  /** {@code metadata.name=X} or {@code metadata.name==X} among the AND-ed field selector terms. */
  private static String nameFromFieldSelector(String query) {
    List<String> selectors = queryValues(query, "fieldSelector");
    if (selectors.isEmpty()) {
      return "";
    }
    for (String term : selectors.get(0).split(",")) {
      String trimmed = term.trim();
      for (String operator : List.of("==", "=")) {
        String prefix = NAME_FIELD + operator;
        if (trimmed.startsWith(prefix)) {
          String name = trimmed.substring(prefix.length()).trim();
          if (!name.isEmpty() && !name.contains("/") && !".".equals(name) && !"..".equals(name)) {
            return name;
          }
        }
      }
    }
    return "";
  }

  private static List<String> queryValues(String query, String key) {
    List<String> values = new ArrayList<>();
    if (query.isEmpty()) {
      return values;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String pairKey = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(pairKey)) {
        values.add(eq < 0 ? "" : decodeQuery(pair.substring(eq + 1)));
      }
    }
    return values;
  }

  private static List<String> splitPath(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("/"));
  }

  /** In a path '+' is a plus sign; URLDecoder would make it a space. */
  private static String decodePath(String value) {
    return decodeQuery(value.replace("+", "%2B"));
  }

  /** In a query '+' is a space, as Go's url.ParseQuery reads it. */
  private static String decodeQuery(String value) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformedEscape) {
      return value;
    }
  }
}
