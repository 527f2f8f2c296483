package io.meshfed.simcluster.auth;

import java.util.List;

/**
 * One rule of a Role or ClusterRole, matched against a request exactly as RBAC's
 * {@code RuleAllows} (k8s.io/component-helpers/auth/rbac/validation) does:
 * <ul>
 *   <li>verbs: equal or {@code *};</li>
 *   <li>apiGroups: equal or {@code *} ({@code ""} is the core group);</li>
 *   <li>resources: {@code *}, equal to {@code resource} or to {@code resource/subresource}, or
 *       {@code * /subresource} (without the space) for that subresource of anything; a rule for
 *       {@code secrets} does not cover {@code secrets/status};</li>
 *   <li>resourceNames: when listed, the request must name one of them. A request names an object
 *       for get, update, patch, delete and everything on a subresource, but not for list, watch or
 *       create of the resource itself (those have no name in the URL), so such a rule never
 *       allows them; list and watch with {@code fieldSelector=metadata.name=X} do name X;</li>
 *   <li>nonResourceURLs (for non-resource requests only): equal, {@code *}, or a prefix ending in
 *       {@code *}.</li>
 * </ul>
 * Null lists are read as empty.
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources,
    List<String> resourceNames, List<String> nonResourceURLs) {

  static final String ALL = "*";

  public PolicyRule {
    verbs = copy(verbs);
    apiGroups = copy(apiGroups);
    resources = copy(resources);
    resourceNames = copy(resourceNames);
    nonResourceURLs = copy(nonResourceURLs);
  }

  public static PolicyRule resourceRule(List<String> apiGroups, List<String> resources, List<String> verbs) {
    return new PolicyRule(verbs, apiGroups, resources, List.of(), List.of());
  }

  public static PolicyRule nonResourceRule(List<String> nonResourceURLs, List<String> verbs) {
    return new PolicyRule(verbs, List.of(), List.of(), List.of(), nonResourceURLs);
  }

  public PolicyRule withResourceNames(List<String> names) {
    return new PolicyRule(verbs, apiGroups, resources, names, nonResourceURLs);
  }

  public boolean allows(RequestInfo request) {
    if (!verbMatches(request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return nonResourceUrlMatches(request.path());
    }
    return apiGroupMatches(request.apiGroup())
        && resourceMatches(request.resourceWithSubresource(), request.subresource())
        && resourceNameMatches(request.name());
  }

  private boolean verbMatches(String verb) {
    return verbs.contains(ALL) || verbs.contains(verb);
  }

  private boolean apiGroupMatches(String group) {
    return apiGroups.contains(ALL) || apiGroups.contains(group);
  }

  private boolean resourceMatches(String combined, String subresource) {
    for (String ruleResource : resources) {
      if (ALL.equals(ruleResource) || ruleResource.equals(combined)) {
        return true;
      }
      if (!subresource.isEmpty() && ruleResource.equals("*/" + subresource)) {
        return true;
      }
    }
    return false;
  }

  private boolean resourceNameMatches(String name) {
    return resourceNames.isEmpty() || resourceNames.contains(name);
  }

  private boolean nonResourceUrlMatches(String path) {
    for (String url : nonResourceURLs) {
      if (ALL.equals(url) || url.equals(path)) {
        return true;
      }
      if (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> copy(List<String> values) {
    return values == null ? List.of() : List.copyOf(values);
  }
}
