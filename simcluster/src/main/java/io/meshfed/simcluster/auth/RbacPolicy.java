package io.meshfed.simcluster.auth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The RBAC objects of one simulated cluster at one moment, ready to evaluate. Evaluation follows
 * the RBAC authorizer: every ClusterRoleBinding whose subjects include the user grants its
 * ClusterRole's rules everywhere; then, for a namespaced request, every RoleBinding of that
 * namespace grants its Role's or ClusterRole's rules in that namespace. The first rule that allows
 * the request wins; there are no deny rules. Aggregated ClusterRoles are not assembled (no
 * controller here): a ClusterRole has the rules it was stored with.
 *
 * <p>Immutable: a request evaluates one snapshot, built once and reused until an RBAC object is
 * written (see {@link StoredAuthObjects}), so a list of thousands of objects costs one decision.
 */
public final class RbacPolicy {

  private final Map<String, List<PolicyRule>> clusterRoles;
  private final Map<String, List<PolicyRule>> roles;
  private final List<Binding> clusterRoleBindings;
  private final Map<String, List<Binding>> roleBindingsByNamespace;

  private RbacPolicy(Builder builder) {
    this.clusterRoles = Map.copyOf(builder.clusterRoles);
    this.roles = Map.copyOf(builder.roles);
    this.clusterRoleBindings = List.copyOf(builder.clusterRoleBindings);
    Map<String, List<Binding>> byNamespace = new HashMap<>();
    builder.roleBindings.forEach((namespace, bindings) -> byNamespace.put(namespace, List.copyOf(bindings)));
    this.roleBindingsByNamespace = Map.copyOf(byNamespace);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Decision authorize(UserInfo user, RequestInfo request) {
    List<String> errors = new ArrayList<>();
    for (Binding binding : clusterRoleBindings) {
      String reason = allowedBy(binding, user, request, errors);
      if (reason != null) {
        return Decision.allow(reason);
      }
    }
    if (!request.namespace().isEmpty()) {
      for (Binding binding : roleBindingsByNamespace.getOrDefault(request.namespace(), List.of())) {
        String reason = allowedBy(binding, user, request, errors);
        if (reason != null) {
          return Decision.allow(reason);
        }
      }
    }
    return Decision.deny(errors.isEmpty() ? "" : "RBAC: " + (errors.size() == 1 ? errors.get(0) : errors));
  }

  /** The "allowed by" reason when the binding applies to the user and one of its rules allows; else null. */
  private String allowedBy(Binding binding, UserInfo user, RequestInfo request, List<String> errors) {
    Subject subject = binding.subjectFor(user);
    if (subject == null) {
      return null;
    }
    List<PolicyRule> rules = rulesOf(binding, errors);
    for (PolicyRule rule : rules) {
      if (rule.allows(request)) {
        return "RBAC: allowed by " + binding.describe(subject);
      }
    }
    return null;
  }

  private List<PolicyRule> rulesOf(Binding binding, List<String> errors) {
    List<PolicyRule> rules;
    if (Binding.CLUSTER_ROLE.equals(binding.roleKind())) {
      rules = clusterRoles.get(binding.roleName());
      if (rules == null) {
        errors.add("clusterrole.rbac.authorization.k8s.io \"" + binding.roleName() + "\" not found");
      }
    } else if (Binding.ROLE.equals(binding.roleKind()) && !binding.isClusterRoleBinding()) {
      rules = roles.get(binding.namespace() + "/" + binding.roleName());
      if (rules == null) {
        errors.add("role.rbac.authorization.k8s.io \"" + binding.roleName() + "\" not found");
      }
    } else {
      rules = null;
      errors.add("unsupported role reference kind: \"" + binding.roleKind() + "\"");
    }
    return rules == null ? List.of() : rules;
  }

  /** Collects roles and bindings; later ones with the same name replace earlier ones. */
  public static final class Builder {

    private final Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
    private final Map<String, List<PolicyRule>> roles = new HashMap<>();
    private final List<Binding> clusterRoleBindings = new ArrayList<>();
    private final Map<String, List<Binding>> roleBindings = new HashMap<>();

    private Builder() {
    }

    public Builder clusterRole(String name, List<PolicyRule> rules) {
      clusterRoles.put(name, List.copyOf(rules));
      return this;
    }

    public Builder role(String namespace, String name, List<PolicyRule> rules) {
      roles.put(namespace + "/" + name, List.copyOf(rules));
      return this;
    }

    public Builder binding(Binding binding) {
      if (binding.isClusterRoleBinding()) {
        clusterRoleBindings.add(binding);
      } else {
        roleBindings.computeIfAbsent(binding.namespace(), namespace -> new ArrayList<>()).add(binding);
      }
      return this;
    }

    public RbacPolicy build() {
      return new RbacPolicy(this);
    }
  }
}
