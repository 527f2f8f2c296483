package io.meshfed.controller.member;

import java.util.Objects;

/**
 * The outcome of one best-effort step, as {@code meshfed leave} reports it.
 *
 * @param step    what was attempted, e.g. {@code delete ClusterRole meshfed-member}
 * @param ok      false when the step failed (the following steps ran anyway)
 * @param message what happened: {@code deleted}, {@code already absent}, the error, ...
 */
public record StepResult(String step, boolean ok, String message) {

  public StepResult {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return step + ": " + (ok ? "" : "FAILED: ") + message;
  }
}
