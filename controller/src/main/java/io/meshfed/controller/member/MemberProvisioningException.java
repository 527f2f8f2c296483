package io.meshfed.controller.member;

import io.meshfed.api.cluster.Finding;
import java.util.List;

/**
 * Provisioning a member was refused or failed. The message names the step; when objects had been
 * created by the failed run, they were deleted again (in reverse order) before this was thrown,
 * and {@link #leftovers()} lists any that could not be.
 */
public final class MemberProvisioningException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String step;
  private final transient List<Finding> findings;
  private final List<String> leftovers;

  MemberProvisioningException(String step, String message, List<Finding> findings, List<String> leftovers,
      Throwable cause) {
    super(message, cause);
    this.step = step;
    this.findings = List.copyOf(findings);
    this.leftovers = List.copyOf(leftovers);
  }

  /** The step that failed, e.g. {@code create ClusterRoleBinding meshfed-member}, or {@code pre-flight}. */
  public String step() {
    return step;
  }

  /** Why a pre-flight refused (nothing was created then); empty for a failure during a step. */
  public List<Finding> findings() {
    return findings;
  }

  /** Objects this run created that the rollback could not delete; they carry our label. */
  public List<String> leftovers() {
    return leftovers;
  }
}
