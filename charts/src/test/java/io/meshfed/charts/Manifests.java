package io.meshfed.charts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Navigation over rendered manifests parsed as plain maps and lists. */
final class Manifests {
  /** Kinds whose spec.template.spec is a pod spec. */
  static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");

  private Manifests() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    if (o == null) {
      return new LinkedHashMap<>();
    }
    if (!(o instanceof Map<?, ?>)) {
      throw new AssertionError("expected a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    if (o == null) {
      return List.of();
    }
    if (!(o instanceof List<?>)) {
      throw new AssertionError("expected a sequence, got " + o);
    }
    return (List<Object>) o;
  }

  static List<Map<String, Object>> maps(Object o) {
    return list(o).stream().map(Manifests::map).toList();
  }

  static List<String> strings(Object o) {
    return list(o).stream().map(String::valueOf).toList();
  }

  /** The value at a dotted path ("spec.template.spec"), or null where any step is missing. */
  static Object at(Map<String, Object> root, String path) {
    Object current = root;
    for (String step : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(step);
    }
    return current;
  }

  static Map<String, Object> mapAt(Map<String, Object> root, String path) {
    return map(at(root, path));
  }

  static String kind(Map<String, Object> obj) {
    return String.valueOf(obj.get("kind"));
  }

  static String name(Map<String, Object> obj) {
    return String.valueOf(at(obj, "metadata.name"));
  }

  static String describe(Map<String, Object> obj) {
    return kind(obj) + "/" + name(obj);
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(kind(o))).toList();
  }

  static Map<String, Object> one(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().filter(o -> kind.equals(kind(o)) && name.equals(name(o))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " among " + objects.stream().map(Manifests::describe).toList()));
  }

  static boolean has(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().anyMatch(o -> kind.equals(kind(o)) && name.equals(name(o)));
  }

  static List<Map<String, Object>> workloads(List<Map<String, Object>> objects) {
    return objects.stream().filter(o -> WORKLOADS.contains(kind(o))).toList();
  }

  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return mapAt(workload, "spec.template.spec");
  }

  /** Containers and init containers of a pod spec. */
  static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
    List<Map<String, Object>> all = new ArrayList<>(maps(podSpec.get("initContainers")));
    all.addAll(maps(podSpec.get("containers")));
    return all;
  }

  static Map<String, Object> container(Map<String, Object> workload, String name) {
    return containers(podSpec(workload)).stream().filter(c -> name.equals(c.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name + " in " + describe(workload)));
  }

  /** name -> value of a container's plain env entries (valueFrom entries map to null). */
  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> e : maps(container.get("env"))) {
      env.put(String.valueOf(e.get("name")), e.get("value") == null ? null : String.valueOf(e.get("value")));
    }
    return env;
  }

  static Map<String, String> labels(Map<String, Object> obj) {
    Map<String, String> labels = new LinkedHashMap<>();
    map(at(obj, "metadata.labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    return labels;
  }

  /** True when every selector entry is among the labels. */
  static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
    return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> String.valueOf(e.getValue()).equals(labels.get(e.getKey())));
  }
}
