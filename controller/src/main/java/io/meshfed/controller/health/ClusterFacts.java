package io.meshfed.controller.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything known about one member when its health is judged: the controller's own facts
 * (membership, sync, policy rollout, the certificates it issued) and the agent's last report.
 *
 * @param sync per cache type ({@code identities}, {@code ip}, {@code nodes}, {@code services}), or
 *     empty when this replica runs no sync session for the member
 * @param certificates certificates the controller knows for this member (name to notAfter)
 */
public record ClusterFacts(
    String cluster,
    boolean joined,
    Optional<AgentSnapshot> agent,
    Optional<SyncFacts> sync,
    PolicyFacts policies,
    Map<String, Instant> certificates) {

  public ClusterFacts {
    certificates = certificates == null ? Map.of() : Map.copyOf(certificates);
    policies = policies == null ? PolicyFacts.NONE : policies;
  }

  /** The member's sync as the controller sees it. */
  public record SyncFacts(boolean reachable, String lastError, Map<String, TypeFacts> types) {
    public SyncFacts {
      types = types == null ? Map.of() : Map.copyOf(types);
    }
  }

  /** One cache type: initial list in etcd, objects written, objects refused or skipped. */
  public record TypeFacts(boolean synced, long objects, long keys, long refused, long skipped) {}

  /** The rollout of mesh policies to this member. */
  public record PolicyFacts(int placed, int inSync, int pending, int drifted, int failed, List<String> problems) {
    public static final PolicyFacts NONE = new PolicyFacts(0, 0, 0, 0, 0, List.of());

    public PolicyFacts {
      problems = problems == null ? List.of() : List.copyOf(problems);
    }
  }
}
