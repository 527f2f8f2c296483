package io.meshfed.controller.policy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which member clusters a policy goes to, from its annotations:
 * <ul>
 *   <li>{@value #CLUSTERS}: comma-separated cluster names or globs ({@code *} any run of characters,
 *       {@code ?} one character), e.g. {@code prod-*, staging-eu};</li>
 *   <li>{@value #CLUSTER_SELECTOR}: a Kubernetes label selector over the clusters' meshfed labels,
 *       e.g. {@code env=prod,region in (eu-1,eu-2),!canary} ({@code k=v}, {@code k==v},
 *       {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}; the
 *       comma-separated requirements must all hold);</li>
 *   <li>neither: every member. Both at once is an error.</li>
 * </ul>
 */
public final class Placement {

  /** Annotation naming the clusters by name or glob. */
  public static final String CLUSTERS = "meshfed.io/clusters";
  /** Annotation selecting the clusters by their labels. */
  public static final String CLUSTER_SELECTOR = "meshfed.io/cluster-selector";
  /** Prefix of every meshfed annotation. */
  public static final String ANNOTATION_PREFIX = "meshfed.io/";

  private static final String FIELD_PREFIX = "metadata.annotations.";
  private static final Pattern GLOB = Pattern.compile("[-a-z0-9*?]+");
  private static final int MAX_GLOB_LENGTH = 64;
  private static final Placement EVERY_MEMBER = new Placement(List.of(), null, List.of());

  private final List<String> clusters;
  private final String selectorText;
  private final List<Requirement> requirements;

  private Placement(List<String> clusters, String selectorText, List<Requirement> requirements) {
    this.clusters = clusters;
    this.selectorText = selectorText;
    this.requirements = requirements;
  }

  /**
   * The outcome of {@link #parse}.
   *
   * @param placement the placement, or {@code null} when there are errors
   * @param errors    findings on {@code metadata.annotations.meshfed.io/...}
   */
  public record Parsed(Placement placement, List<Finding> errors) {
    /** Copies the errors. */
    public Parsed {
      errors = List.copyOf(errors);
    }

    /** True when the annotations were valid. */
    public boolean isValid() {
      return errors.isEmpty();
    }
  }

  /** The placement of a policy without placement annotations. */
  public static Placement everyMember() {
    return EVERY_MEMBER;
  }

  /** Reads the placement annotations of a policy document ({@code metadata.annotations}); string values only. */
  public static Parsed of(JsonNode document) {
    Map<String, String> annotations = new TreeMap<>();
    JsonNode node = document == null ? null : document.path("metadata").path("annotations");
    if (node != null && node.isObject()) {
      node.properties().forEach(e -> {
        if (e.getValue().isTextual()) {
          annotations.put(e.getKey(), e.getValue().asText());
        }
      });
    }
    return parse(annotations);
  }

  /** Parses the placement annotations; other annotations are ignored. */
  public static Parsed parse(Map<String, String> annotations) {
    Objects.requireNonNull(annotations, "annotations");
    String clusters = annotations.get(CLUSTERS);
    String selector = annotations.get(CLUSTER_SELECTOR);
    List<Finding> errors = new ArrayList<>();
    if (clusters != null && selector != null) {
      errors.add(new Finding(FIELD_PREFIX + CLUSTER_SELECTOR, selector, "must not be set together with " + CLUSTERS
          + " (place a policy by names or by labels, not both)"));
      return new Parsed(null, errors);
    }
    if (clusters != null) {
      List<String> names = parseClusters(clusters, errors);
      return errors.isEmpty() ? new Parsed(new Placement(names, null, List.of()), errors) : new Parsed(null, errors);
    }
    if (selector != null) {
      List<Requirement> requirements = new SelectorParser(selector, errors).parse();
      return errors.isEmpty() ? new Parsed(new Placement(List.of(), selector.strip(), requirements), errors) : new Parsed(null, errors);
    }
    return new Parsed(EVERY_MEMBER, errors);
  }

  private static List<String> parseClusters(String text, List<Finding> errors) {
    String field = FIELD_PREFIX + CLUSTERS;
    if (text.isBlank()) {
      errors.add(new Finding(field, text, "must name at least one cluster (remove the annotation to place the policy on every member)"));
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String raw : text.split(",", -1)) {
      String name = raw.strip();
      if (name.isEmpty()) {
        errors.add(new Finding(field, text, "has an empty entry (write names or globs separated by single commas)"));
      } else if (name.indexOf('*') < 0 && name.indexOf('?') < 0) {
        Optional<Finding> problem = ClusterName.check(field, name);
        problem.ifPresent(errors::add);
      } else if (name.length() > MAX_GLOB_LENGTH || !GLOB.matcher(name).matches()) {
        errors.add(new Finding(field, name, "must be a cluster name or a glob of lower-case letters, digits, '-', '*' and '?' (at most "
            + MAX_GLOB_LENGTH + " characters)"));
      }
      names.add(name);
    }
    return List.copyOf(names);
  }

  /** True when the placement puts the policy on the cluster with this name and these labels. */
  public boolean selects(String clusterName, Map<String, String> clusterLabels) {
    if (selectorText != null) {
      Map<String, String> labels = clusterLabels == null ? Map.of() : clusterLabels;
      return requirements.stream().allMatch(r -> r.matches(labels));
    }
    if (clusters.isEmpty()) {
      return true;
    }
    return clusterName != null && clusters.stream().anyMatch(pattern -> glob(pattern, clusterName));
  }

  /** True when the policy goes to every member (no placement annotation). */
  public boolean isEveryMember() {
    return clusters.isEmpty() && selectorText == null;
  }

  /** The names and globs of {@value #CLUSTERS}, empty otherwise. */
  public List<String> clusters() {
    return clusters;
  }

  /** The names and globs of {@value #CLUSTERS} that match none of {@code members} (empty for other placements). */
  public List<String> matchingNoMember(Collection<String> members) {
    return clusters.stream().filter(p -> members.stream().noneMatch(m -> glob(p, m))).toList();
  }

  /** For messages and listings: {@code every member cluster}, {@code clusters a, b-*}, {@code clusters whose labels match env=prod}. */
  public String describe() {
    if (selectorText != null) {
      return "clusters whose labels match " + requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }
    if (clusters.isEmpty()) {
      return "every member cluster";
    }
    return "clusters " + String.join(", ", clusters);
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Glob match: {@code *} any run (also empty), {@code ?} exactly one character; linear backtracking. */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  private enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

  /** One requirement of a label selector. */
  private record Requirement(String key, Operator operator, List<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case EQUALS -> value != null && value.equals(values.get(0));
        case NOT_EQUALS -> value == null || !value.equals(values.get(0));
        case IN -> value != null && values.contains(value);
        case NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
      };
    }

    @Override
    public String toString() {
      return switch (operator) {
        case EQUALS -> key + "=" + values.get(0);
        case NOT_EQUALS -> key + "!=" + values.get(0);
        case IN -> key + " in (" + String.join(",", values) + ")";
        case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
      };
    }
  }

  /** Kubernetes' label-selector string syntax ({@code labels.Parse}), without the gt/lt operators. */
  private static final class SelectorParser {
    private static final String FIELD = FIELD_PREFIX + CLUSTER_SELECTOR;
    private static final String SPECIAL = ",()=!<>";
    private final String text;
    private final List<Finding> errors;
    private final List<String> tokens = new ArrayList<>();
    private int next;

    SelectorParser(String text, List<Finding> errors) {
      this.text = text;
      this.errors = errors;
    }

    List<Requirement> parse() {
      if (text.isBlank()) {
        fail("must not be empty (remove the annotation to place the policy on every member)");
        return List.of();
      }
      tokenize();
      List<Requirement> requirements = new ArrayList<>();
      while (errors.isEmpty()) {
        Requirement r = requirement();
        if (r == null) {
          break;
        }
        requirements.add(r);
        if (next == tokens.size()) {
          break;
        }
        if (!",".equals(tokens.get(next++))) {
          fail("expected ',' between requirements after \"" + r + "\"");
        }
      }
      return requirements;
    }

    private void tokenize() {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if ((c == '=' || c == '!') && i + 1 < text.length() && text.charAt(i + 1) == '=') {
          tokens.add(c + "=");
          i += 2;
        } else if (SPECIAL.indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && SPECIAL.indexOf(text.charAt(i)) < 0) {
            i++;
          }
          tokens.add(text.substring(start, i));
        }
      }
    }

    private Requirement requirement() {
      String token = take("a label key");
      if (token == null) {
        return null;
      }
      if (token.equals("!")) {
        String key = key(take("a label key after '!'"));
        return key == null ? null : new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
      }
      String key = key(token);
      if (key == null) {
        return null;
      }
      String op = next < tokens.size() ? tokens.get(next) : ",";
      switch (op) {
        case "," -> {
          return new Requirement(key, Operator.EXISTS, List.of());
        }
        case "=", "==", "!=" -> {
          next++;
          String value = next < tokens.size() && !isSpecial(tokens.get(next)) ? tokens.get(next++) : "";
          return value(value) ? new Requirement(key, op.equals("!=") ? Operator.NOT_EQUALS : Operator.EQUALS, List.of(value)) : null;
        }
        case "in", "notin" -> {
          next++;
          List<String> values = valueSet(op);
          return values == null ? null : new Requirement(key, op.equals("in") ? Operator.IN : Operator.NOT_IN, values);
        }
        case "<", ">" -> {
          fail("uses " + op + ", which meshfed does not support (use =, !=, in, notin, exists or !)");
          return null;
        }
        default -> {
          fail("expected =, ==, !=, in, notin, ',' or the end after key \"" + key + "\", found \"" + op + "\"");
          return null;
        }
      }
    }

    private List<String> valueSet(String op) {
      if (!"(".equals(take("'(' after " + op))) {
        fail("expected '(' after " + op);
        return null;
      }
      List<String> values = new ArrayList<>();
      while (true) {
        String value = take("a value or ')'");
        if (value == null) {
          return null;
        }
        if (value.equals(")") && values.isEmpty()) {
          fail("has an empty value set after " + op);
          return null;
        }
        if (isSpecial(value) || !value(value)) {
          if (isSpecial(value)) {
            fail("expected a value in the set after " + op + ", found \"" + value + "\"");
          }
          return null;
        }
        values.add(value);
        String separator = take("',' or ')'");
        if (")".equals(separator)) {
          return List.copyOf(values);
        }
        if (!",".equals(separator)) {
          if (separator != null) {
            fail("expected ',' or ')' in the value set, found \"" + separator + "\"");
          }
          return null;
        }
      }
    }

    private String key(String token) {
      if (token == null) {
        return null;
      }
      if (isSpecial(token)) {
        fail("expected a label key, found \"" + token + "\"");
        return null;
      }
      String problem = CiliumSyntax.qualifiedNameProblem(token);
      if (problem != null) {
        errors.add(new Finding(FIELD, text, "has an invalid label key \"" + token + "\": " + problem));
        return null;
      }
      return token;
    }

    private boolean value(String value) {
      String problem = CiliumSyntax.labelValueProblem(value);
      if (problem != null) {
        errors.add(new Finding(FIELD, text, "has an invalid label value \"" + value + "\": " + problem));
        return false;
      }
      return true;
    }

    private String take(String expected) {
      if (next >= tokens.size()) {
        fail("ends where " + expected + " was expected");
        return null;
      }
      return tokens.get(next++);
    }

    private static boolean isSpecial(String token) {
      return token.length() <= 2 && SPECIAL.indexOf(token.charAt(0)) >= 0;
    }

    private void fail(String rule) {
      errors.add(new Finding(FIELD, text, "is not a valid label selector: " + rule));
    }
  }
}
