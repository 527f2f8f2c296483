package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One RBAC rule the controller gets in a member, with the reason it is needed.
 *
 * @param apiGroups     API groups; {@code ""} is the core group
 * @param resources     resources, {@code resource/subresource} for a subresource
 * @param resourceNames the only objects the rule applies to; empty means all of them
 * @param verbs         what may be done
 * @param why           why the controller needs it (documentation; not part of the grant)
 */
public record RbacRule(List<String> apiGroups, List<String> resources, List<String> resourceNames,
    List<String> verbs, String why) {

  public RbacRule {
    apiGroups = List.copyOf(apiGroups);
    resources = List.copyOf(resources);
    resourceNames = List.copyOf(resourceNames);
    verbs = List.copyOf(verbs);
    Objects.requireNonNull(why, "why");
  }

  /** The rule as it is written into a Role or ClusterRole. */
  public PolicyRule toPolicyRule() {
    PolicyRuleBuilder rule = new PolicyRuleBuilder()
        .withApiGroups(apiGroups).withResources(resources).withVerbs(verbs);
    if (!resourceNames.isEmpty()) {
      rule.withResourceNames(resourceNames);
    }
    return rule.build();
  }

  /**
   * True when {@code stored} grants exactly this rule. Lists are compared in order (we write
   * them, a real API server keeps the order); an absent list equals an empty one.
   */
  public boolean grantsSameAs(PolicyRule stored) {
    return apiGroups.equals(orEmpty(stored.getApiGroups()))
        && resources.equals(orEmpty(stored.getResources()))
        && resourceNames.equals(orEmpty(stored.getResourceNames()))
        && verbs.equals(orEmpty(stored.getVerbs()))
        && orEmpty(stored.getNonResourceURLs()).isEmpty();
  }

  /** True when the stored rules are exactly these rules, rule by rule, in order. */
  static boolean sameGrants(List<RbacRule> wanted, List<PolicyRule> stored) {
    List<PolicyRule> actual = orEmpty(stored);
    if (wanted.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < wanted.size(); i++) {
      if (!wanted.get(i).grantsSameAs(actual.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Every single access this rule grants, one per verb, resource and resource name, scoped to
   * {@code namespace} (null: cluster-wide, as a ClusterRole bound by a ClusterRoleBinding).
   */
  public List<ResourceAccess> accesses(String namespace) {
    List<ResourceAccess> accesses = new ArrayList<>();
    for (String group : apiGroups) {
      for (String resource : resources) {
        for (String verb : verbs) {
          if (resourceNames.isEmpty()) {
            accesses.add(ResourceAccess.of(verb, group, resource, namespace, null));
          } else {
            for (String name : resourceNames) {
              accesses.add(ResourceAccess.of(verb, group, resource, namespace, name));
            }
          }
        }
      }
    }
    return accesses;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
