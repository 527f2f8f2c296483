package io.meshfed.simcluster.auth;

import java.util.List;

/**
 * The RBAC objects a simulated cluster has without anyone creating them, as the API server's
 * bootstrap policy gives a real cluster (only the ones that matter here):
 * <ul>
 *   <li>{@code system:public-info-viewer} (everyone, even without a token): get {@code /version},
 *       {@code /healthz}, {@code /readyz}, {@code /livez};</li>
 *   <li>{@code system:discovery} (every authenticated user): get {@code /api}, {@code /apis} and
 *       below (discovery) and the health paths;</li>
 *   <li>{@code system:basic-user} (every authenticated user): create SelfSubjectAccessReviews and
 *       SelfSubjectRulesReviews, so any user can ask what it may do;</li>
 *   <li>{@code simcluster:readonly}, not in a real cluster: get, list and watch on every resource
 *       and get on every path, for the group of the {@code readonly} profile.</li>
 * </ul>
 * They are not stored objects: lists of ClusterRoles do not show them, and they cannot be changed
 * (added after the stored objects, they win over a stored ClusterRole of the same name).
 */
public final class BootstrapPolicy {

  public static final String READONLY_GROUP = "simcluster:readonly";

  private static final List<String> HEALTH_PATHS = List.of("/healthz", "/livez", "/readyz", "/version", "/version/");

  private BootstrapPolicy() {
  }

  /** Adds the built-in roles and bindings; add them last so that they replace stored namesakes. */
  public static RbacPolicy.Builder addTo(RbacPolicy.Builder policy) {
    List<Subject> everyone = List.of(Subject.group(UserInfo.AUTHENTICATED), Subject.group(UserInfo.UNAUTHENTICATED));
    List<Subject> authenticated = List.of(Subject.group(UserInfo.AUTHENTICATED));
    policy.clusterRole("system:public-info-viewer", List.of(PolicyRule.nonResourceRule(HEALTH_PATHS, List.of("get"))));
    policy.binding(Binding.clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", everyone));

    policy.clusterRole("system:discovery", List.of(PolicyRule.nonResourceRule(
        List.of("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
            "/version", "/version/"), List.of("get"))));
    policy.binding(Binding.clusterRoleBinding("system:discovery", "system:discovery", authenticated));

    policy.clusterRole("system:basic-user", List.of(PolicyRule.resourceRule(List.of("authorization.k8s.io"),
        List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"), List.of("create"))));
    policy.binding(Binding.clusterRoleBinding("system:basic-user", "system:basic-user", authenticated));

    policy.clusterRole(READONLY_GROUP, List.of(
        PolicyRule.resourceRule(List.of(PolicyRule.ALL), List.of(PolicyRule.ALL), List.of("get", "list", "watch")),
        PolicyRule.nonResourceRule(List.of(PolicyRule.ALL), List.of("get"))));
    policy.binding(Binding.clusterRoleBinding(READONLY_GROUP, READONLY_GROUP, List.of(Subject.group(READONLY_GROUP))));
    return policy;
  }
}
