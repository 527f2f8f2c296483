package io.meshfed.controller.policy.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a policy stands in one member. */
public enum PolicyState {
  /** The member holds exactly the mesh's current generation. */
  IN_SYNC("InSync"),
  /** Not there yet (member unreachable, a retry is due, or the rollout has not reached it). */
  PENDING("Pending"),
  /** The member's copy was changed or deleted there and could not be restored yet. */
  DRIFTED("Drifted"),
  /** The member refused it, or a policy of that name not managed by meshfed is in the way. */
  FAILED("Failed");

  private final String label;

  PolicyState(String label) {
    this.label = label;
  }

  @JsonValue
  public String label() {
    return label;
  }

  @JsonCreator
  public static PolicyState of(String label) {
    for (PolicyState s : values()) {
      if (s.label.equals(label) || s.name().equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown policy state " + label);
  }

  @Override
  public String toString() {
    return label;
  }
}
