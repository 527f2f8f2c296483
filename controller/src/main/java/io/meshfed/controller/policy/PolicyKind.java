package io.meshfed.controller.policy;

import java.util.Locale;
import java.util.Optional;

/** The two Cilium policy kinds meshfed stores and pushes. */
public enum PolicyKind {
  CNP("CiliumNetworkPolicy", "ciliumnetworkpolicies", true),
  CCNP("CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false);

  /** Cilium's API group and version for both kinds. */
  public static final String API_VERSION = "cilium.io/v2";

  private final String kind;
  private final String plural;
  private final boolean namespaced;

  PolicyKind(String kind, String plural, boolean namespaced) {
    this.kind = kind;
    this.plural = plural;
    this.namespaced = namespaced;
  }

  /** The Kubernetes kind, e.g. {@code CiliumNetworkPolicy}. */
  public String kind() {
    return kind;
  }

  public String plural() {
    return plural;
  }

  public boolean namespaced() {
    return namespaced;
  }

  /** {@code cnp} or {@code ccnp}: the short name in keys, URLs and {@code --kind}. */
  public String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind a document declares, if it is one of ours. */
  public static Optional<PolicyKind> ofKind(String kind) {
    for (PolicyKind k : values()) {
      if (k.kind.equals(kind)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code --kind} as a user types it: {@code cnp}, {@code ccnp}, the kind, its plural or singular,
   * any case. Empty when it names neither.
   */
  public static Optional<PolicyKind> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (PolicyKind k : values()) {
      if (t.equals(k.shortName()) || t.equals(k.kind.toLowerCase(Locale.ROOT)) || t.equals(k.plural)
          || t.equals(k.kind.toLowerCase(Locale.ROOT) + "s")) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
