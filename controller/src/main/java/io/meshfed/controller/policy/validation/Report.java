package io.meshfed.controller.policy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.api.cluster.Finding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Collects the findings of one validation and reads typed values out of a JSON tree without ever
 * throwing: a value of the wrong type becomes a {@code must be a ...} finding and reads as absent.
 *
 * <p>Paths are written the way users read them: {@code spec.ingress[0].toPorts[0].rules.http[1].path};
 * map keys are appended as they are ({@code matchLabels.k8s:app}).
 */
final class Report {
  /** Findings kept per kind; the rest are counted (a list of a million bad items must not cost a million findings). */
  static final int MAX_FINDINGS = 500;
  private static final int MAX_VALUE_LENGTH = 120;

  private final List<Finding> errors = new ArrayList<>();
  private final List<Finding> warnings = new ArrayList<>();
  private int omittedErrors;
  private int omittedWarnings;

  void error(String field, String value, String rule) {
    if (errors.size() < MAX_FINDINGS) {
      errors.add(new Finding(field, shorten(value), rule));
    } else {
      omittedErrors++;
    }
  }

  void warn(String field, String value, String rule) {
    if (warnings.size() < MAX_FINDINGS) {
      warnings.add(new Finding(field, shorten(value), rule));
    } else {
      omittedWarnings++;
    }
  }

  void addErrors(Collection<Finding> findings) {
    findings.forEach(f -> error(f.field(), f.value(), f.rule()));
  }

  int errorCount() {
    return errors.size() + omittedErrors;
  }

  PolicyValidation result() {
    List<Finding> e = new ArrayList<>(errors);
    List<Finding> w = new ArrayList<>(warnings);
    if (omittedErrors > 0) {
      e.add(Finding.of("document", "has " + omittedErrors + " more errors, not listed"));
    }
    if (omittedWarnings > 0) {
      w.add(Finding.of("document", "has " + omittedWarnings + " more warnings, not listed"));
    }
    return new PolicyValidation(e, w);
  }

  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  /** The last segment of a path: {@code egress} for {@code spec.egress}. */
  static String leaf(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  // ---- typed reads: absent (Java null) reads as null without a finding ----

  ObjectNode object(JsonNode node, String path) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      return (ObjectNode) node;
    }
    typeError(node, path, "an object", "{}");
    return null;
  }

  ArrayNode list(JsonNode node, String path) {
    if (node == null) {
      return null;
    }
    if (node.isArray()) {
      return (ArrayNode) node;
    }
    typeError(node, path, "a list", "[]");
    return null;
  }

  /** Each item of a list with its path; nothing when absent or not a list. */
  void items(JsonNode node, String path, BiConsumer<JsonNode, String> each) {
    ArrayNode list = list(node, path);
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        each.accept(list.get(i), index(path, i));
      }
    }
  }

  String string(JsonNode node, String path) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    typeError(node, path, "a string", "\"\"");
    return null;
  }

  Boolean bool(JsonNode node, String path) {
    if (node == null) {
      return null;
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    typeError(node, path, "a boolean (true or false)", "false");
    return null;
  }

  /** An integer in [min, max]; out of range is reported and reads as null. */
  Long integer(JsonNode node, String path, long min, long max) {
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber()) {
      typeError(node, path, "an integer", "0");
      return null;
    }
    if (!node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
      error(path, node.asText(), "must be between " + min + " and " + max);
      return null;
    }
    return node.asLong();
  }

  /** A string that must be one of {@code allowed} (case-sensitive, as the CRD's enum). */
  String oneOf(JsonNode node, String path, Collection<String> allowed) {
    String value = string(node, path);
    if (value != null && !allowed.contains(value)) {
      String hint = "";
      for (String a : allowed) {
        if (a.equalsIgnoreCase(value)) {
          hint = " (values are case-sensitive: " + a + ")";
        }
      }
      error(path, value, "must be one of " + String.join(", ", allowed) + hint);
      return null;
    }
    return value;
  }

  /** Reports a missing required field. */
  void required(ObjectNode object, String path, String field) {
    if (object != null && !object.has(field)) {
      error(child(path, field), null, "is required");
    }
  }

  /**
   * Reports every field of {@code object} not in {@code known}, strictly like {@code kubectl apply}:
   * with the hint for that field when there is one, else a near-miss suggestion.
   */
  void knownFields(ObjectNode object, String path, Collection<String> known, Map<String, String> hints) {
    if (object == null) {
      return;
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext();) {
      String name = names.next();
      if (known.contains(name)) {
        continue;
      }
      String hint = hints.get(name);
      if (hint == null) {
        String near = nearest(name, known);
        hint = near == null ? "" : ": did you mean " + near + "?";
      }
      error(child(path, name), null, "is not a known field" + hint + " (known: " + String.join(", ", known) + ")");
    }
  }

  private void typeError(JsonNode node, String path, String expected, String empty) {
    if (node.isNull()) {
      error(path, null, "must be " + expected + ", not null (an empty `" + leaf(path) + ":` in YAML is null: write `"
          + leaf(path) + ": " + empty + "` or remove it)");
    } else if (node.isValueNode()) {
      String hint = node.isNumber() && expected.equals("a string") ? " (quote it: \"" + node.asText() + "\")" : "";
      error(path, node.asText(), "must be " + expected + ", not " + describe(node) + hint);
    } else {
      error(path, null, "must be " + expected + ", not " + describe(node));
    }
  }

  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "an object";
    }
    return node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  /** The known name a misspelt one most likely meant: same letters in another case, or 1-2 edits away. */
  static String nearest(String name, Collection<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      if (k.equalsIgnoreCase(name)) {
        return k + " (field names are case-sensitive)";
      }
      int d = distance(name, k, bestDistance);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance, giving up (returning {@code limit}) on long or distant strings. */
  private static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit || a.length() > 64 || b.length() > 64) {
      return limit;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return Math.min(previous[b.length()], limit);
  }

  private static String shorten(String value) {
    if (value == null || value.length() <= MAX_VALUE_LENGTH) {
      return value;
    }
    return value.substring(0, MAX_VALUE_LENGTH) + "... (" + value.length() + " characters)";
  }
}
