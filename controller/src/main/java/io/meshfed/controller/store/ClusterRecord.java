package io.meshfed.controller.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A member cluster ({@code meshfed/clusters/<name>}). Registered as {@code JOINING} in the same
 * transaction that takes its name, ID and kube-system uid and spends the join token; becomes
 * {@code JOINED} once its certificates are in the member. A {@code JOINING} record that outlives
 * its join (the controller died mid-way) is rolled back by the next join of that name or at start.
 *
 * @param credentialsSealed the member ServiceAccount credentials, sealed (SecretBox, bound to the name)
 * @param issuedSerials hex serials of every certificate issued for this cluster (revoked on leave)
 * @param etcdClientPem the member's etcd client certificate (CN {@code member-<name>}), which its
 *     Cilium agents use to read the mesh's cache; its key is sealed like the credentials
 * @param etcdProxy the name of the member's etcd gRPC proxy when its agents read through one
 *     ({@code join --etcd-proxy}), else null
 * @param etcdPasswordSealed the password of etcd user {@code member-<name>} when proxied (the proxy
 *     cannot forward certificate identities, so the agents authenticate by password through it),
 *     sealed like the credentials; null when not proxied
 */
public record ClusterRecord(
    String name,
    int id,
    String kubeSystemUid,
    Map<String, String> labels,
    List<String> podCidrs,
    State state,
    Instant joinedAt,
    String tokenId,
    String credentialsSealed,
    Instant credentialExpiry,
    String intermediatePem,
    List<String> issuedSerials,
    Instant certificateExpiry,
    String controllerInstance,
    String etcdClientPem,
    String etcdClientKeySealed,
    String etcdProxy,
    String etcdPasswordSealed) {

  /** Where a cluster is in its lifecycle. */
  public enum State {
    JOINING,
    JOINED
  }

  public ClusterRecord {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    podCidrs = podCidrs == null ? List.of() : List.copyOf(podCidrs);
    issuedSerials = issuedSerials == null ? List.of() : List.copyOf(issuedSerials);
  }

  public ClusterRecord joined(String intermediate, List<String> serials, Instant certExpiry) {
    return new ClusterRecord(name, id, kubeSystemUid, labels, podCidrs, State.JOINED, joinedAt, tokenId, credentialsSealed,
        credentialExpiry, intermediate, serials, certExpiry, controllerInstance, etcdClientPem, etcdClientKeySealed, etcdProxy, etcdPasswordSealed);
  }

  public ClusterRecord withCredentials(String sealed, Instant expiry) {
    return new ClusterRecord(name, id, kubeSystemUid, labels, podCidrs, state, joinedAt, tokenId, sealed, expiry,
        intermediatePem, issuedSerials, certificateExpiry, controllerInstance, etcdClientPem, etcdClientKeySealed, etcdProxy,
        etcdPasswordSealed);
  }

  /** Whether this member's Cilium agents read the mesh etcd through an etcd gRPC proxy. */
  public boolean proxied() {
    return etcdProxy != null;
  }
}
