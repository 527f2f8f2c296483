package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.ClusterName;
import java.util.Objects;

/**
 * An endpoint of one member cluster that claims an IP in {@link IpOwnership}.
 *
 * @param cluster  the member cluster
 * @param endpoint the CiliumEndpoint within it
 */
public record IpHolder(ClusterName cluster, EndpointRef endpoint) {

  /** Requires both. */
  public IpHolder {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  /** {@code endpoint ns/name of cluster c1}, as used in findings. */
  @Override
  public String toString() {
    return "endpoint " + endpoint + " of cluster " + cluster;
  }
}
