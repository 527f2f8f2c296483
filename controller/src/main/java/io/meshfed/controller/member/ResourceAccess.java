package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import java.util.Objects;

/**
 * One thing a Kubernetes identity may or may not do, as a SelfSubjectAccessReview asks it.
 *
 * @param verb        {@code get}, {@code create}, ...
 * @param group       API group, {@code ""} for the core group
 * @param resource    plural resource name, e.g. {@code secrets}
 * @param subresource e.g. {@code token}, or null
 * @param namespace   null for cluster-wide (cluster-scoped resources, or every namespace)
 * @param name        one object's name, or null for any
 */
public record ResourceAccess(String verb, String group, String resource, String subresource, String namespace,
    String name) {

  public ResourceAccess {
    Objects.requireNonNull(verb, "verb");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(resource, "resource");
  }

  /** {@code resourcePath} may name a subresource as in RBAC rules: {@code serviceaccounts/token}. */
  public static ResourceAccess of(String verb, String group, String resourcePath, String namespace, String name) {
    int slash = resourcePath.indexOf('/');
    String resource = slash < 0 ? resourcePath : resourcePath.substring(0, slash);
    String subresource = slash < 0 ? null : resourcePath.substring(slash + 1);
    return new ResourceAccess(verb, group, resource, subresource, namespace, name);
  }

  /** The same access on any object of the kind (drops the name). */
  ResourceAccess anyName() {
    return new ResourceAccess(verb, group, resource, subresource, namespace, null);
  }

  ResourceAttributes toAttributes() {
    return new ResourceAttributesBuilder()
        .withVerb(verb).withGroup(group).withResource(resource).withSubresource(subresource)
        .withNamespace(namespace).withName(name)
        .build();
  }

  /**
   * Reads like kubectl's resource names: {@code create clusterroles.rbac.authorization.k8s.io
   * (cluster-wide)}, {@code update secrets named cilium-ca in namespace kube-system}.
   */
  public String describe() {
    StringBuilder text = new StringBuilder(verb).append(' ').append(resource);
    if (subresource != null) {
      text.append('/').append(subresource);
    }
    if (!group.isEmpty()) {
      text.append('.').append(group);
    }
    if (name != null) {
      text.append(" named ").append(name);
    }
    text.append(namespace == null ? " (cluster-wide)" : " in namespace " + namespace);
    return text.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
