package io.meshfed.simcluster.auth;

/**
 * A subject of a RoleBinding or ClusterRoleBinding: kind {@code ServiceAccount} (name and
 * namespace), {@code User} or {@code Group} (name). Matched as RBAC's {@code appliesToUser} does.
 */
public record Subject(String kind, String name, String namespace) {

  public static final String SERVICE_ACCOUNT = "ServiceAccount";
  public static final String USER = "User";
  public static final String GROUP = "Group";

  public Subject {
    namespace = namespace == null ? "" : namespace;
  }

  public static Subject serviceAccount(String namespace, String name) {
    return new Subject(SERVICE_ACCOUNT, name, namespace);
  }

  public static Subject user(String name) {
    return new Subject(USER, name, "");
  }

  public static Subject group(String name) {
    return new Subject(GROUP, name, "");
  }

  /**
   * Whether this subject is the user. A ServiceAccount subject without a namespace means one in
   * the binding's own namespace (only a RoleBinding has one), as in a real cluster.
   */
  boolean appliesTo(UserInfo user, String bindingNamespace) {
    return switch (kind) {
      case USER -> name.equals(user.name());
      case GROUP -> user.groups().contains(name);
      case SERVICE_ACCOUNT -> {
        String saNamespace = namespace.isEmpty() ? bindingNamespace : namespace;
        yield !saNamespace.isEmpty() && UserInfo.serviceAccountUserName(saNamespace, name).equals(user.name());
      }
      default -> false;
    };
  }

  /** As in RBAC's reasons: {@code ServiceAccount "name/namespace"}, {@code Group "name"}. */
  String describe(String bindingNamespace) {
    if (SERVICE_ACCOUNT.equals(kind)) {
      return kind + " \"" + name + "/" + (namespace.isEmpty() ? bindingNamespace : namespace) + "\"";
    }
    return kind + " \"" + name + "\"";
  }
}
