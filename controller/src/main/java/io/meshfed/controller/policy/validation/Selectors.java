package io.meshfed.controller.policy.validation;

import static io.meshfed.controller.policy.validation.Report.child;
import static io.meshfed.controller.policy.validation.Report.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Label selectors ({@code matchLabels} and {@code matchExpressions}) as Cilium reads them, and the
 * cluster checks of the mesh: a selector on {@code io.cilium.k8s.policy.cluster} must name member
 * clusters.
 */
final class Selectors {
  /** Cilium's policy label for an endpoint's cluster ({@code PolicyLabelCluster}). */
  static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
  static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  private static final List<String> FIELDS = List.of("matchExpressions", "matchLabels");
  private static final List<String> EXPRESSION_FIELDS = List.of("key", "operator", "values");

  private final Report report;
  private final ValidationContext context;

  Selectors(Report report, ValidationContext context) {
    this.report = report;
    this.context = context;
  }

  /** The label's key without a {@code k8s:} or {@code any:} source, for comparing with Cilium's policy labels. */
  static String bareKey(String key) {
    if (key.startsWith("k8s:")) {
      return key.substring(4);
    }
    if (key.startsWith("any:")) {
      return key.substring(4);
    }
    return key;
  }

  /**
   * Checks one selector.
   *
   * @return whether it constrains {@code io.cilium.k8s.policy.cluster} (with or without a source)
   */
  boolean check(JsonNode node, String path) {
    ObjectNode selector = report.object(node, path);
    if (selector == null) {
      return false;
    }
    report.knownFields(selector, path, FIELDS, Map.of());
    boolean namesCluster = false;
    String labelsPath = child(path, "matchLabels");
    ObjectNode labels = report.object(selector.get("matchLabels"), labelsPath);
    if (labels != null) {
      for (Map.Entry<String, JsonNode> label : labels.properties()) {
        String key = label.getKey();
        String keyPath = child(labelsPath, key);
        String keyProblem = CiliumSyntax.selectorKeyProblem(key);
        if (keyProblem != null) {
          report.error(keyPath, key, "is not a valid label key: " + keyProblem);
        }
        String value = report.string(label.getValue(), keyPath);
        if (value != null) {
          String valueProblem = CiliumSyntax.labelValueProblem(value);
          if (valueProblem != null) {
            report.error(keyPath, value, valueProblem);
          }
        }
        if (CLUSTER_LABEL.equals(bareKey(key))) {
          namesCluster = true;
          if (value != null && !context.memberClusters().contains(value)) {
            report.error(keyPath, value, mustBeMember());
          }
        }
      }
    }
    String expressionsPath = child(path, "matchExpressions");
    ArrayNode expressions = report.list(selector.get("matchExpressions"), expressionsPath);
    if (expressions != null) {
      for (int i = 0; i < expressions.size(); i++) {
        namesCluster |= expression(expressions.get(i), index(expressionsPath, i));
      }
    }
    return namesCluster;
  }

  /** One matchExpressions item; returns whether its key is the cluster label. */
  private boolean expression(JsonNode node, String path) {
    ObjectNode expression = report.object(node, path);
    if (expression == null) {
      return false;
    }
    report.knownFields(expression, path, EXPRESSION_FIELDS, Map.of());
    report.required(expression, path, "key");
    report.required(expression, path, "operator");
    String key = report.string(expression.get("key"), child(path, "key"));
    if (key != null) {
      String keyProblem = CiliumSyntax.selectorKeyProblem(key);
      if (keyProblem != null) {
        report.error(child(path, "key"), key, "is not a valid label key: " + keyProblem);
      }
    }
    String operator = report.oneOf(expression.get("operator"), child(path, "operator"), CiliumSyntax.SELECTOR_OPERATORS);
    String valuesPath = child(path, "values");
    ArrayNode values = report.list(expression.get("values"), valuesPath);
    boolean cluster = key != null && CLUSTER_LABEL.equals(bareKey(key));
    if (operator != null) {
      boolean needsValues = operator.equals("In") || operator.equals("NotIn");
      if (needsValues && (values == null || values.isEmpty())) {
        report.error(valuesPath, null, "must list at least one value when operator is " + operator);
      }
      if (!needsValues && values != null && !values.isEmpty()) {
        report.error(valuesPath, null, "must be empty when operator is " + operator);
      }
    }
    if (values != null) {
      for (int i = 0; i < values.size(); i++) {
        String valuePath = index(valuesPath, i);
        String value = report.string(values.get(i), valuePath);
        if (value == null) {
          continue;
        }
        String problem = CiliumSyntax.labelValueProblem(value);
        if (problem != null) {
          report.error(valuePath, value, problem);
        }
        if (cluster && !context.memberClusters().contains(value)) {
          if ("In".equals(operator)) {
            report.error(valuePath, value, mustBeMember());
          } else if ("NotIn".equals(operator)) {
            report.warn(valuePath, value, "names no member of the mesh (members: " + context.membersText() + "): excluding it changes nothing");
          }
        }
      }
    }
    return cluster;
  }

  /** Whether a selector (already checked) constrains a label key, with or without a source. */
  static boolean constrains(JsonNode selector, String bareKey) {
    if (selector == null || !selector.isObject()) {
      return false;
    }
    JsonNode labels = selector.get("matchLabels");
    if (labels != null && labels.isObject()) {
      for (String key : (Iterable<String>) labels::fieldNames) {
        if (bareKey.equals(bareKey(key))) {
          return true;
        }
      }
    }
    JsonNode expressions = selector.get("matchExpressions");
    if (expressions != null && expressions.isArray()) {
      for (JsonNode e : expressions) {
        JsonNode key = e.get("key");
        if (key != null && key.isTextual() && bareKey.equals(bareKey(key.asText()))) {
          return true;
        }
      }
    }
    return false;
  }

  private String mustBeMember() {
    return "must name a member of the mesh (members: " + context.membersText() + ")";
  }
}
