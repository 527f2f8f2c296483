package io.meshfed.simcluster.auth;

/**
 * An authorization answer. The reason is what a real API server would give: for RBAC,
 * {@code RBAC: allowed by ...} when allowed, empty when denied unless a binding refers to a role
 * that does not exist.
 */
public record Decision(boolean allowed, String reason) {

  public Decision {
    reason = reason == null ? "" : reason;
  }

  public static Decision allow(String reason) {
    return new Decision(true, reason);
  }

  public static Decision deny(String reason) {
    return new Decision(false, reason);
  }
}
