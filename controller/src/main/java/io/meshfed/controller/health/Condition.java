package io.meshfed.controller.health;

import java.time.Instant;
import java.util.Objects;

/**
 * One condition of a member, Kubernetes style: {@code status} is {@code True}, {@code False} or
 * {@code Unknown}; {@code reason} is a CamelCase word a script can match; {@code message} is for
 * people. {@code warning} marks a True condition that needs attention soon (a certificate that
 * expires within 30 days): it is reported, but does not make the member Degraded.
 */
public record Condition(ConditionType type, Status status, String reason, String message, boolean warning,
    Instant lastTransitionTime) {

  /** Condition status, spelled as Kubernetes spells it. */
  public enum Status {
    True, False, Unknown
  }

  public Condition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    message = message == null ? "" : message;
  }

  static Condition of(ConditionType type, Status status, String reason, String message) {
    return new Condition(type, status, reason, message, false, null);
  }

  static Condition ok(ConditionType type, String reason, String message) {
    return of(type, Status.True, reason, message);
  }

  static Condition failed(ConditionType type, String reason, String message) {
    return of(type, Status.False, reason, message);
  }

  static Condition unknown(ConditionType type, String reason, String message) {
    return of(type, Status.Unknown, reason, message);
  }

  Condition asWarning() {
    return new Condition(type, status, reason, message, true, lastTransitionTime);
  }

  Condition since(Instant transition) {
    return new Condition(type, status, reason, message, warning, transition);
  }

  public boolean isTrue() {
    return status == Status.True;
  }
}
