package io.meshfed.simcluster.auth;

import java.util.List;

/**
 * A RoleBinding (namespace set) or ClusterRoleBinding (namespace empty): grants the rules of the
 * role it refers to ({@code roleKind} Role or ClusterRole, by name) to its subjects. A RoleBinding
 * grants them only inside its namespace, even when it refers to a ClusterRole.
 */
public record Binding(String name, String namespace, String roleKind, String roleName, List<Subject> subjects) {

  public static final String ROLE = "Role";
  public static final String CLUSTER_ROLE = "ClusterRole";

  public Binding {
    namespace = namespace == null ? "" : namespace;
    subjects = subjects == null ? List.of() : List.copyOf(subjects);
  }

  public static Binding clusterRoleBinding(String name, String clusterRole, List<Subject> subjects) {
    return new Binding(name, "", CLUSTER_ROLE, clusterRole, subjects);
  }

  public static Binding roleBinding(String namespace, String name, String roleKind, String roleName,
      List<Subject> subjects) {
    return new Binding(name, namespace, roleKind, roleName, subjects);
  }

  public boolean isClusterRoleBinding() {
    return namespace.isEmpty();
  }

  /** The first subject that is this user, or null. */
  Subject subjectFor(UserInfo user) {
    for (Subject subject : subjects) {
      if (subject.appliesTo(user, namespace)) {
        return subject;
      }
    }
    return null;
  }

  /** As in RBAC's "allowed by" reasons. */
  String describe(Subject subject) {
    String bindingName = isClusterRoleBinding()
        ? "ClusterRoleBinding \"" + name + "\""
        : "RoleBinding \"" + name + "/" + namespace + "\"";
    return bindingName + " of " + roleKind + " \"" + roleName + "\" to " + subject.describe(namespace);
  }
}
