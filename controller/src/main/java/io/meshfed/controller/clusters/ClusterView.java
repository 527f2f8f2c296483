package io.meshfed.controller.clusters;

import io.meshfed.controller.store.ClusterRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the API and {@code meshfed clusters} show of a member: never its credentials.
 *
 * @param etcdProxy the member's etcd proxy name when joined with {@code --etcd-proxy}, else null (and absent from JSON)
 */
public record ClusterView(
    String name, int id, String state, Map<String, String> labels, List<String> podCidrs, Instant joinedAt,
    Instant credentialExpiry, Instant certificateExpiry, String kubeSystemUid, String etcdProxy) {

  public static ClusterView of(ClusterRecord c) {
    return new ClusterView(c.name(), c.id(), c.state().name(), c.labels(), c.podCidrs(), c.joinedAt(), c.credentialExpiry(),
        c.certificateExpiry(), c.kubeSystemUid(), c.etcdProxy());
  }
}
