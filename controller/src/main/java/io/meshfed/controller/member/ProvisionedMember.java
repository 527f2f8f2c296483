package io.meshfed.controller.member;

import java.util.List;
import java.util.Objects;

/**
 * The result of provisioning a member.
 *
 * @param credentials how the controller reaches the member from now on, as its ServiceAccount
 * @param objects     every object of the plan with the action taken
 */
public record ProvisionedMember(MemberCredentials credentials, List<PlannedObject> objects) {

  public ProvisionedMember {
    Objects.requireNonNull(credentials, "credentials");
    objects = List.copyOf(objects);
  }
}
