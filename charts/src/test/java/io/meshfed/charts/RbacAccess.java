package io.meshfed.charts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One right granted by RBAC: (API group, resource, resource name, verb). A non-resource URL is a
 * resource that starts with "/" in the core group; "" as resource name means any name.
 */
record RbacAccess(String apiGroup, String resource, String resourceName, String verb) implements Comparable<RbacAccess> {

  @Override
  public int compareTo(RbacAccess o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return (apiGroup.isEmpty() ? "core" : apiGroup) + " " + resource + (resourceName.isEmpty() ? "" : "/" + resourceName) + " " + verb;
  }

  /** Every tuple the rules of a rendered Role or ClusterRole grant. */
  static Set<RbacAccess> of(Map<String, Object> role) {
    Set<RbacAccess> accesses = new TreeSet<>();
    for (Map<String, Object> rule : Manifests.maps(role.get("rules"))) {
      List<String> verbs = Manifests.strings(rule.get("verbs"));
      for (String url : Manifests.strings(rule.get("nonResourceURLs"))) {
        verbs.forEach(v -> accesses.add(new RbacAccess("", url, "", v)));
      }
      List<String> names = Manifests.strings(rule.get("resourceNames"));
      for (String group : Manifests.strings(rule.get("apiGroups"))) {
        for (String resource : Manifests.strings(rule.get("resources"))) {
          for (String name : names.isEmpty() ? List.of("") : names) {
            verbs.forEach(v -> accesses.add(new RbacAccess(group, resource, name, v)));
          }
        }
      }
    }
    return accesses;
  }

  /**
   * The tuples of the Markdown tables in an RBAC document, in the layout of docs/member-rbac.md:
   * a header row naming the columns "API group", "resources", "resource names" and "verbs" (others
   * such as "role", "scope" and "why" are ignored); cells list values separated by commas, in
   * backticks or not; "core" is the core group, "any" (or an empty cell, or "-") in resource
   * names means any name; a resource starting with "/" is a non-resource URL.
   */
  static Set<RbacAccess> fromMarkdown(String markdown) {
    Set<RbacAccess> accesses = new TreeSet<>();
    List<String> header = null;
    for (String line : markdown.split("\n")) {
      String trimmed = line.trim();
      if (!trimmed.startsWith("|")) {
        header = null;
        continue;
      }
      List<String> cells = cells(trimmed);
      if (header == null) {
        List<String> lower = cells.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        if (lower.contains("api group") && lower.contains("resources") && lower.contains("verbs")) {
          header = lower;
        }
        continue;
      }
      if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
        continue;
      }
      String group = cell(header, cells, "api group");
      List<String> names = values(cell(header, cells, "resource names"));
      for (String resource : values(cell(header, cells, "resources"))) {
        boolean url = resource.startsWith("/");
        for (String g : url ? List.of("") : values(group)) {
          String apiGroup = "core".equals(g) ? "" : g;
          for (String name : url || names.isEmpty() ? List.of("") : names) {
            for (String verb : values(cell(header, cells, "verbs"))) {
              accesses.add(new RbacAccess(apiGroup, resource, name, verb));
            }
          }
        }
      }
    }
    return accesses;
  }

  private static List<String> cells(String row) {
    String inner = row.substring(1, row.endsWith("|") && row.length() > 1 ? row.length() - 1 : row.length());
    List<String> cells = new ArrayList<>();
    for (String c : inner.split("\\|", -1)) {
      cells.add(c.trim());
    }
    return cells;
  }

  private static String cell(List<String> header, List<String> cells, String column) {
    int i = header.indexOf(column);
    return i < 0 || i >= cells.size() ? "" : cells.get(i);
  }

  private static List<String> values(String cell) {
    List<String> values = new ArrayList<>();
    for (String v : cell.replace("`", "").split(",")) {
      String t = v.trim();
      if (!t.isEmpty() && !"any".equalsIgnoreCase(t) && !"-".equals(t)) {
        values.add(t);
      }
    }
    return values;
  }
}
