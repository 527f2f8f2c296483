package io.meshfed.controller.join;

import java.util.List;
import java.util.Map;

/**
 * What the joining side sends: who the cluster says it is, the facts it read from the member with
 * the user's kubeconfig, and (for the join itself, not the pre-flight) the credentials of the
 * least-privilege ServiceAccount it provisioned there.
 *
 * @param credentials JSON of {@code MemberCredentials}; null for a pre-flight
 */
public record JoinRequest(
    String clusterName,
    Integer clusterId,
    Map<String, String> labels,
    String kubeSystemUid,
    List<String> podCidrs,
    CiliumConfig ciliumConfig,
    String credentials) {

  /** The member's {@code kube-system/cilium-config} as read at join; null fields were absent. */
  public record CiliumConfig(String clusterName, String clusterId, String maxConnectedClusters) {}

  public JoinRequest {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    podCidrs = podCidrs == null ? List.of() : List.copyOf(podCidrs);
  }
}
