package io.meshfed.simcluster.auth;

import java.util.function.Supplier;

/**
 * Decides whether a user may make a request, as a kube-apiserver started with
 * {@code --authorization-mode=RBAC}: members of {@code system:masters} may do everything (the
 * privileged-group shortcut every API server has), everyone else gets what RBAC grants, from the
 * built-in {@link BootstrapPolicy} and the RBAC objects stored in the simulated cluster.
 */
public final class Authorizer {

  private final Supplier<RbacPolicy> policy;

  /** @param policy the current RBAC snapshot; asked once per decision */
  public Authorizer(Supplier<RbacPolicy> policy) {
    this.policy = policy;
  }

  public Decision authorize(UserInfo user, RequestInfo request) {
    if (user.groups().contains(UserInfo.MASTERS)) {
      return Decision.allow("");
    }
    return policy.get().authorize(user, request);
  }
}
