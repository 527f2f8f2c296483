package io.meshfed.controller.policy.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A policy in one member ({@code meshfed/policy-status/<cluster>/<policy key>}), written by the
 * rollout when the state, the reason or a generation changes (not for every attempt).
 *
 * @param policy            the policy key ({@code cnp/production/allow-dns})
 * @param desiredGeneration the mesh generation the rollout was working towards
 * @param appliedGeneration the generation the member holds (0: none yet)
 * @param appliedHash       the content hash the member holds
 * @param removal           true while the policy is to be removed from this member (deleted from
 *                          the mesh, or no longer placed here) and is not gone yet
 * @param lastAppliedAt     when the member last received a write of this policy from meshfed
 * @param lastAttemptAt     the last attempt as of this record
 * @param attempts          failed attempts in a row as of this record
 */
public record PolicyStatusRecord(String cluster, String policy, PolicyState state, String reason, long desiredGeneration,
    long appliedGeneration, String appliedHash, boolean removal, Instant lastAppliedAt, Instant lastAttemptAt, int attempts) {

  public PolicyStatusRecord {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(state, "state");
  }

  /** Same state, reason, generations, hash and removal flag: nothing worth a write. */
  public boolean sameAs(PolicyStatusRecord o) {
    return o != null && state == o.state && Objects.equals(reason, o.reason) && desiredGeneration == o.desiredGeneration
        && appliedGeneration == o.appliedGeneration && Objects.equals(appliedHash, o.appliedHash) && removal == o.removal;
  }
}
