package io.meshfed.controller.health;

import java.time.Instant;
import java.util.List;

/**
 * The whole mesh, as {@code GET /api/v1/health} and {@code meshfed status} show it: the worst
 * member's state, every reason, and each member in short.
 */
public record MeshHealth(HealthState status, List<String> reasons, Instant checkedAt, int members, List<ClusterHealth> clusters) {

  static MeshHealth of(List<ClusterHealth> clusters, List<String> meshReasons, HealthState meshState, Instant now) {
    HealthState state = meshState;
    List<String> reasons = new java.util.ArrayList<>(meshReasons);
    for (ClusterHealth c : clusters) {
      state = state.worst(c.status());
      reasons.addAll(c.reasons());
    }
    return new MeshHealth(state, List.copyOf(reasons), now, clusters.size(), clusters.stream().map(ClusterHealth::withoutAgent).toList());
  }
}
