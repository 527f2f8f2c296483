package io.meshfed.controller.health;

import java.time.Instant;
import java.util.List;

/**
 * What a member's agent last reported, as the controller keeps it in etcd (JSON under a lease, so
 * every replica reads the same and a silent agent's report disappears on its own). Plain Java, so
 * the health rules do not depend on the wire format.
 *
 * @param receivedAt when the controller received it (the controller's clock, not the agent's)
 * @param intervalSeconds the report interval in force, for staleness
 */
public record AgentSnapshot(
    String cluster,
    Instant receivedAt,
    long sequence,
    String agentVersion,
    long intervalSeconds,
    Kubernetes kubernetes,
    Cilium cilium,
    Nodes nodes,
    Counts counts,
    List<Certificate> certificates,
    List<Policy> policies,
    Etcd etcd) {

  public AgentSnapshot {
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
    policies = policies == null ? List.of() : List.copyOf(policies);
  }

  public record Kubernetes(boolean reachable, long latencyMs, String error) {}

  public record Cilium(long daemonSetDesired, long daemonSetReady, String configClusterName, String configClusterId, String error) {}

  public record Nodes(long ready, long total) {}

  /** Object counts in the member; {@code exact} is false when the agent could only estimate. */
  public record Counts(Count identities, Count endpoints, Count ciliumNodes, Count globalServices) {}

  public record Count(long value, boolean exact) {}

  public record Certificate(String name, String source, Instant notAfter, String subject) {}

  public record Policy(String kind, String namespace, String name, long generation, String hash) {}

  public record Etcd(boolean reachable, long handshakeMs, long heartbeatAgeSeconds, String error) {}
}
