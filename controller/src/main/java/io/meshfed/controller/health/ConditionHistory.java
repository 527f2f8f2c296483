package io.meshfed.controller.health;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each condition its {@code lastTransitionTime}: the time it was first seen with its current
 * status, kept while the status stays the same (reason and message may change without a
 * transition, as in Kubernetes). Per replica, in memory: after a restart transitions start anew.
 */
final class ConditionHistory {
  private record Seen(Condition.Status status, Instant since) {}

  private final Map<String, Seen> seen = new HashMap<>();

  synchronized List<Condition> stamp(String cluster, List<Condition> conditions, Instant now) {
    List<Condition> out = new ArrayList<>(conditions.size());
    for (Condition c : conditions) {
      String key = cluster + "/" + c.type();
      Seen before = seen.get(key);
      if (before == null || before.status() != c.status()) {
        before = new Seen(c.status(), now);
        seen.put(key, before);
      }
      out.add(c.since(before.since()));
    }
    return out;
  }

  /** Forgets members that left. */
  synchronized void retain(java.util.Set<String> clusters) {
    seen.keySet().removeIf(k -> !clusters.contains(k.substring(0, k.indexOf('/'))));
  }
}
