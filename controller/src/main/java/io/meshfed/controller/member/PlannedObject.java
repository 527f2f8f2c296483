package io.meshfed.controller.member;

import java.util.Locale;
import java.util.Objects;

/**
 * One object of the provisioning plan and what join does (or did) with it.
 *
 * @param kind      e.g. {@code ClusterRole}
 * @param namespace null for cluster-scoped kinds
 * @param name      the object's name
 * @param action    what happens to it
 * @param note      why, when the action alone does not say it (else empty)
 */
public record PlannedObject(String kind, String namespace, String name, Action action, String note) {

  /** What provisioning does with an object. */
  public enum Action {
    /** Absent: it is created. */
    CREATE,
    /** Ours (labelled) but not as wanted: it is updated in place. */
    UPDATE,
    /** Ours and as wanted, or Cilium's own {@code cilium-ca}: left as it is. */
    UNCHANGED,
    /** Exists without our label (or cannot be changed in place): join is refused. */
    CONFLICT,
    /** Could not be read: join is refused. */
    UNKNOWN;

    /** Lower case, as printed: {@code create}, {@code update}, ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public PlannedObject {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    note = note == null ? "" : note;
  }

  /** {@code ClusterRole meshfed-member}, {@code Secret kube-system/cilium-ca}. */
  public String object() {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }

  /** {@code create ClusterRole meshfed-member}, with the note in parentheses when there is one. */
  public String describe() {
    return action.label() + " " + object() + (note.isEmpty() ? "" : " (" + note + ")");
  }

  @Override
  public String toString() {
    return describe();
  }
}
