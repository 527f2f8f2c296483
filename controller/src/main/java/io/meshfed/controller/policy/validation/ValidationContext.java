package io.meshfed.controller.policy.validation;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a policy is validated against.
 *
 * @param memberClusters   names of the clusters joined to the mesh: a selector on
 *                         {@code io.cilium.k8s.policy.cluster} must name one of them
 * @param defaultNamespace the namespace a {@code CiliumNetworkPolicy} without
 *                         {@code metadata.namespace} goes to, as {@code kubectl apply -n NS} would
 *                         put it; {@code null} when there is none, which makes the namespace
 *                         required
 */
public record ValidationContext(Set<String> memberClusters, String defaultNamespace) {

  /** Copies the members (sorted, for stable messages); {@code null} means none. */
  public ValidationContext {
    memberClusters = memberClusters == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(memberClusters));
  }

  /** Members only: a namespaced policy must name its namespace. */
  public ValidationContext(Set<String> memberClusters) {
    this(memberClusters, null);
  }

  /** Convenience for tests and the CLI. */
  public static ValidationContext members(String... names) {
    return new ValidationContext(Set.of(names));
  }

  /** The same members with a default namespace. */
  public ValidationContext withDefaultNamespace(String namespace) {
    return new ValidationContext(memberClusters, namespace);
  }

  /** The members as a message fragment: {@code a, b} or {@code none yet}. */
  String membersText() {
    return memberClusters.isEmpty() ? "none yet" : String.join(", ", memberClusters);
  }
}
