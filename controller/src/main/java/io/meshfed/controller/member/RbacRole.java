package io.meshfed.controller.member;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A ClusterRole ({@code namespace == null}) or a Role, and the rules it grants. Each is bound to
 * the controller's ServiceAccount by a binding of the same name and scope.
 */
public record RbacRole(String namespace, String name, List<RbacRule> rules) {

  public RbacRole {
    Objects.requireNonNull(name, "name");
    rules = List.copyOf(rules);
  }

  public boolean clusterWide() {
    return namespace == null;
  }

  /** {@code ClusterRole} or {@code Role}. */
  public String kind() {
    return clusterWide() ? "ClusterRole" : "Role";
  }

  /** {@code ClusterRoleBinding} or {@code RoleBinding}. */
  public String bindingKind() {
    return kind() + "Binding";
  }

  /** Every single access the role grants, in rule order. */
  public List<ResourceAccess> accesses() {
    List<ResourceAccess> accesses = new ArrayList<>();
    for (RbacRule rule : rules) {
      accesses.addAll(rule.accesses(namespace));
    }
    return accesses;
  }
}
