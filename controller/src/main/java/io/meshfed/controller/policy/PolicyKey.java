package io.meshfed.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.Objects;

/**
 * A mesh policy's identity: kind, namespace (null for a clusterwide policy) and name, as in a member.
 * Its {@link #id()} is the etcd key suffix and the stable reference in status and events:
 * {@code cnp/<namespace>/<name>} or {@code ccnp/_cluster/<name>}.
 */
public record PolicyKey(PolicyKind kind, String namespace, String name) implements Comparable<PolicyKey> {
  /** Stands for "no namespace" in ids: never a valid namespace (underscore). */
  public static final String CLUSTER_SCOPE = "_cluster";

  private static final Comparator<PolicyKey> ORDER = Comparator.comparing(PolicyKey::kind)
      .thenComparing(k -> k.namespace == null ? "" : k.namespace).thenComparing(PolicyKey::name);

  public PolicyKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (kind.namespaced() && (namespace == null || namespace.isEmpty())) {
      throw new IllegalArgumentException(kind.kind() + " " + name + " needs a namespace");
    }
    if (!kind.namespaced()) {
      namespace = null;
    }
  }

  /** The key of a (valid) policy document. */
  public static PolicyKey of(JsonNode doc) {
    PolicyKind kind = PolicyKind.ofKind(doc.path("kind").asText())
        .orElseThrow(() -> new IllegalArgumentException("not a Cilium policy kind: " + doc.path("kind").asText()));
    JsonNode meta = doc.path("metadata");
    return new PolicyKey(kind, kind.namespaced() ? meta.path("namespace").asText(null) : null, meta.path("name").asText());
  }

  /** {@code cnp/production/allow-dns}, {@code ccnp/_cluster/deny-all}. */
  public String id() {
    return kind.shortName() + "/" + (namespace == null ? CLUSTER_SCOPE : namespace) + "/" + name;
  }

  /** Reads what {@link #id()} wrote. */
  public static PolicyKey parseId(String id) {
    String[] parts = id.split("/", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a policy key: " + id);
    }
    PolicyKind kind = PolicyKind.parse(parts[0]).orElseThrow(() -> new IllegalArgumentException("not a policy key: " + id));
    return new PolicyKey(kind, CLUSTER_SCOPE.equals(parts[1]) ? null : parts[1], parts[2]);
  }

  /** How users name it: {@code production/allow-dns}, or the bare name of a clusterwide policy. */
  public String display() {
    return namespace == null ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(PolicyKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return id();
  }
}
