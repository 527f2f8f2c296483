package io.meshfed.controller.health;

/** Overall health of a member or of the whole mesh, worst last. */
public enum HealthState {
  Healthy,
  Degraded,
  Unhealthy;

  HealthState worst(HealthState other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
