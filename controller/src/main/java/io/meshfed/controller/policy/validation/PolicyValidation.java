package io.meshfed.controller.policy.validation;

import io.meshfed.api.cluster.Finding;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The outcome of validating one policy document: every error and every warning at once.
 *
 * @param errors   broken rules; the policy must not be stored or pushed while there is one
 * @param warnings legal but probably not what was meant (e.g. a peer selector without a cluster
 *                 label, whose meaning depends on Cilium's {@code policy-default-local-cluster})
 */
public record PolicyValidation(List<Finding> errors, List<Finding> warnings) {

  /** Copies both lists. */
  public PolicyValidation {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** True when there is no error (warnings do not count). */
  public boolean isValid() {
    return errors.isEmpty();
  }

  /** Every finding as one line each, errors first: for CLI output and logs. */
  public String summary() {
    return Stream.concat(
            errors.stream().map(f -> "error: " + f.message()),
            warnings.stream().map(f -> "warning: " + f.message()))
        .collect(Collectors.joining("\n"));
  }
}
