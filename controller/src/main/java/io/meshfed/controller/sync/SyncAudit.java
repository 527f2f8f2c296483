package io.meshfed.controller.sync;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Anti-entropy for one kind: compares what the member's API server lists (object to
 * resourceVersion) with the version of each object the session last wrote to etcd. A watch can go
 * quiet without failing (a proxy that drops the stream's data, a server that loses events under
 * load), and a write can fail after its event was consumed; informers notice neither, so etcd would
 * stay behind forever. A difference seen twice, a recheck
 * apart, with the same listed version, is a missed event and not one still in flight.
 */
final class SyncAudit {
  private SyncAudit() {}

  /** Objects whose version differs, that the cache lacks, or that the cache has but the member does not. */
  static Map<String, String> differences(Map<String, String> listed, Map<String, String> cached) {
    Map<String, String> out = new HashMap<>();
    listed.forEach((id, version) -> {
      if (!Objects.equals(version, cached.get(id))) {
        out.put(id, version);
      }
    });
    cached.keySet().forEach(id -> {
      if (!listed.containsKey(id)) {
        out.put(id, null);
      }
    });
    return out;
  }

  /**
   * Of the first pass's differences, those still there in the second with the same listed version
   * (null = absent from the member both times): events that will not come.
   */
  static Set<String> persistent(Map<String, String> first, Map<String, String> second) {
    Set<String> out = new TreeSet<>();
    first.forEach((id, version) -> {
      if (second.containsKey(id) && Objects.equals(version, second.get(id))) {
        out.add(id);
      }
    });
    return out;
  }
}
