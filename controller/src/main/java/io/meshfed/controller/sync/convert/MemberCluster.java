package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.kvstore.ClusterDataValidator;
import java.util.Objects;

/**
 * The member whose objects a converter turns into cache entries: its name (the key segment and
 * the {@code io.cilium.k8s.policy.cluster} label) and its ID, which carries the mesh's
 * {@link MaxConnectedClusters} and therefore the member's identity range (spec 3.2, 3.3).
 *
 * @param name the member's cluster name
 * @param id   the member's cluster ID, validated against the mesh mode
 */
public record MemberCluster(ClusterName name, ClusterId id) {

  /** Requires both. */
  public MemberCluster {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(id, "id");
  }

  /**
   * A member from plain values, as they sit in the cluster registry.
   *
   * @throws io.meshfed.api.cluster.InvalidValueException for an invalid name or an ID outside
   *     1..max of {@code maxConnectedClusters}
   */
  public static MemberCluster of(String name, long id, MaxConnectedClusters maxConnectedClusters) {
    return new MemberCluster(ClusterName.parse(name), ClusterId.of(id, maxConnectedClusters));
  }

  /** The mesh mode (255 or 511) the ID was validated against. */
  public MaxConnectedClusters maxConnectedClusters() {
    return id.maxConnectedClusters();
  }

  /** The checks a remote agent applies to this member's data (spec 1.5 item 8). */
  ClusterDataValidator validator() {
    return new ClusterDataValidator(name, id);
  }

  @Override
  public String toString() {
    return name + " (ID " + id + ")";
  }
}
