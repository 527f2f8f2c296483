package io.meshfed.controller.join;

import java.util.List;
import java.util.Map;

/**
 * What the joining side sends: who the cluster says it is, the facts it read from the member with
 * the user's kubeconfig, and (for the join itself, not the pre-flight) the credentials of the
 * least-privilege ServiceAccount it provisioned there.
 *
 * @param credentials JSON of {@code MemberCredentials}; null for a pre-flight
 * @param etcdProxy the member's etcd gRPC proxy name ({@code <agent chart fullname>-etcd-proxy}),
 *     when its Cilium agents are to read the mesh etcd through that proxy; null (the default) when
 *     they read the mesh etcd directly
 */
public record JoinRequest(
    String clusterName,
    Integer clusterId,
    Map<String, String> labels,
    String kubeSystemUid,
    List<String> podCidrs,
    CiliumConfig ciliumConfig,
    String credentials,
    String etcdProxy) {

  /** The member's {@code kube-system/cilium-config} as read at join; null fields were absent. */
  public record CiliumConfig(String clusterName, String clusterId, String maxConnectedClusters) {}

  /** The same request carrying the member ServiceAccount credentials (the join after the pre-flight). */
  public JoinRequest withCredentials(String json) {
    return new JoinRequest(clusterName, clusterId, labels, kubeSystemUid, podCidrs, ciliumConfig, json, etcdProxy);
  }

  public JoinRequest {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    podCidrs = podCidrs == null ? List.of() : List.copyOf(podCidrs);
  }
}
