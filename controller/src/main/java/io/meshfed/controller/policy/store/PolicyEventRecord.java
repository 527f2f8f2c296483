package io.meshfed.controller.policy.store;

import java.time.Instant;
import java.util.List;

/**
 * A drift found in a member, and what meshfed did about it
 * ({@code meshfed/policy-events/<policy key>/...}).
 *
 * @param change     {@code edited}, {@code deleted} or {@code unmanaged} (our label was taken off)
 * @param fields     the paths that differed from the mesh's version (edits), at most 50
 * @param who        from the member object's managedFields: the managers (and operation) of the
 *                   newest entries, when the member keeps them; empty otherwise (deletions carry none)
 * @param action     {@code restored}, or what stopped it
 * @param generation the mesh generation restored
 */
public record PolicyEventRecord(Instant time, String cluster, String policy, String change, List<String> fields,
    List<String> who, String action, long generation) {

  public PolicyEventRecord {
    fields = fields == null ? List.of() : List.copyOf(fields);
    who = who == null ? List.of() : List.copyOf(who);
  }
}
