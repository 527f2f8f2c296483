package io.meshfed.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The paths at which two JSON trees differ, e.g. {@code spec.ingress[0].toPorts[0].ports[0].port}
 * or {@code metadata.labels["app.kubernetes.io/name"]} (keys that are not plain words are quoted).
 * A field present on one side only is reported at its own path; lists are compared by index.
 */
public final class JsonDiff {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

  private JsonDiff() {}

  /** At most {@code limit} paths, in document order (object keys sorted). */
  public static List<String> paths(JsonNode a, JsonNode b, int limit) {
    List<String> out = new ArrayList<>();
    walk("", a, b, out, limit);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<String> out, int limit) {
    if (out.size() >= limit) {
      return;
    }
    boolean aMissing = a == null || a.isMissingNode();
    boolean bMissing = b == null || b.isMissingNode();
    if (aMissing && bMissing) {
      return;
    }
    if (aMissing || bMissing) {
      out.add(path.isEmpty() ? "." : path);
      return;
    }
    if (a.isObject() && b.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        walk(child(path, k), a.get(k), b.get(k), out, limit);
      }
      return;
    }
    if (a.isArray() && b.isArray()) {
      int n = Math.max(a.size(), b.size());
      for (int i = 0; i < n; i++) {
        walk(path + "[" + i + "]", a.get(i), b.get(i), out, limit);
      }
      return;
    }
    if (!a.equals(b)) {
      out.add(path.isEmpty() ? "." : path);
    }
  }

  static String child(String path, String key) {
    if (PLAIN.matcher(key).matches()) {
      return path.isEmpty() ? key : path + "." + key;
    }
    return path + "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
  }
}
