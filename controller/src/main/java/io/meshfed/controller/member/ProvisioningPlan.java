package io.meshfed.controller.member;

import io.meshfed.api.cluster.Finding;
import java.util.ArrayList;
import java.util.List;

/**
 * What provisioning would do in a member, in order, and why it would be refused; computed without
 * changing anything (the output of {@code meshfed join --dry-run}).
 *
 * @param objects  every object, in creation order, with its action
 * @param findings why provisioning would be refused (missing rights, foreign objects with our
 *                 names, unreadable objects); empty when it may proceed
 */
public record ProvisioningPlan(List<PlannedObject> objects, List<Finding> findings) {

  public ProvisioningPlan {
    objects = List.copyOf(objects);
    findings = List.copyOf(findings);
  }

  /** True when provisioning would be refused. */
  public boolean refused() {
    return !findings.isEmpty();
  }

  /** True when at least one object would be created or updated. */
  public boolean changesAnything() {
    return objects.stream().anyMatch(object -> object.action() == PlannedObject.Action.CREATE
        || object.action() == PlannedObject.Action.UPDATE);
  }

  /** One line per object, then one per finding, as printed by {@code --dry-run}. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    objects.forEach(object -> lines.add(object.describe()));
    findings.forEach(finding -> lines.add("refused: " + finding.message()));
    return lines;
  }
}
