package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Objects;
import java.util.Optional;

/**
 * One object join wants in a member, how to tell whether an existing one is up to date, and how
 * to bring one of ours up to date.
 *
 * <p>What "up to date" means, by kind: our labels on every kind; the rules of a (Cluster)Role; the
 * subjects of a binding. Secret data is never compared or touched: the controller writes it later,
 * and a re-run of join must not wipe it.
 *
 * @param object        the object as join would create it (with our labels)
 * @param role          the role data a (Cluster)Role is made from, or null for other kinds
 * @param keepIfForeign true when an object of that name that is not ours is left as it is instead
 *                      of being a conflict: Cilium's own {@code cilium-ca}
 */
record DesiredObject(HasMetadata object, RbacRole role, boolean keepIfForeign) {

  DesiredObject {
    Objects.requireNonNull(object, "object");
  }

  static DesiredObject of(HasMetadata object) {
    return new DesiredObject(object, null, false);
  }

  String kind() {
    return object.getKind();
  }

  String namespace() {
    return object.getMetadata().getNamespace();
  }

  String name() {
    return object.getMetadata().getName();
  }

  /** {@code ClusterRole meshfed-member}, {@code Secret kube-system/cilium-ca}. */
  String describe() {
    return kind() + " " + (namespace() == null ? "" : namespace() + "/") + name();
  }

  /** True when {@code current} (one of ours) already is what join would make it. */
  boolean isUpToDate(HasMetadata current) {
    if (!MeshfedLabels.hasAll(current)) {
      return false;
    }
    if (current instanceof ClusterRole stored) {
      return RbacRule.sameGrants(role.rules(), stored.getRules());
    }
    if (current instanceof Role stored) {
      return RbacRule.sameGrants(role.rules(), stored.getRules());
    }
    if (current instanceof ClusterRoleBinding stored) {
      return Objects.equals(stored.getSubjects(), ((ClusterRoleBinding) object).getSubjects());
    }
    if (current instanceof RoleBinding stored) {
      return Objects.equals(stored.getSubjects(), ((RoleBinding) object).getSubjects());
    }
    return true;
  }

  /**
   * Why {@code current} (one of ours) cannot be updated in place, if it cannot: a binding's
   * roleRef is immutable in Kubernetes.
   */
  Optional<String> immutableDifference(HasMetadata current) {
    if (current instanceof ClusterRoleBinding stored
        && !Objects.equals(stored.getRoleRef(), ((ClusterRoleBinding) object).getRoleRef())) {
      return Optional.of("has roleRef " + stored.getRoleRef().getName() + ", which cannot be changed; delete it"
          + " (or run meshfed leave) and join again");
    }
    if (current instanceof RoleBinding stored && !Objects.equals(stored.getRoleRef(), ((RoleBinding) object).getRoleRef())) {
      return Optional.of("has roleRef " + stored.getRoleRef().getName() + ", which cannot be changed; delete it"
          + " (or run meshfed leave) and join again");
    }
    return Optional.empty();
  }

  /**
   * {@code current} (one of ours, as just read) brought up to date: our labels added, rules or
   * subjects replaced. Its resourceVersion is kept, so a concurrent change makes the update fail
   * instead of being overwritten.
   */
  HasMetadata updatedFrom(HasMetadata current) {
    current.getMetadata().setLabels(MeshfedLabels.withOurs(current.getMetadata().getLabels()));
    if (current instanceof ClusterRole stored) {
      stored.setRules(((ClusterRole) object).getRules());
    } else if (current instanceof Role stored) {
      stored.setRules(((Role) object).getRules());
    } else if (current instanceof ClusterRoleBinding stored) {
      stored.setSubjects(((ClusterRoleBinding) object).getSubjects());
    } else if (current instanceof RoleBinding stored) {
      stored.setSubjects(((RoleBinding) object).getSubjects());
    }
    return current;
  }
}
