package io.meshfed.controller.member;

import io.meshfed.api.cluster.Finding;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link MemberInspector} found out about a member. Absent values come with a finding that
 * says why; the join pre-flight compares the present ones with the request and the mesh.
 *
 * @param server               the API server URL the client talks to
 * @param reachable            false when no HTTP answer came back (then little else is known)
 * @param serverVersion        e.g. {@code v1.31.0}
 * @param kubeSystemUid        the uid of namespace {@code kube-system}: a cluster's identity that
 *                             survives renaming it in a kubeconfig
 * @param ciliumClusterName    {@code cluster-name} of {@code kube-system/cilium-config}
 * @param ciliumClusterId      {@code cluster-id} of {@code kube-system/cilium-config}
 * @param maxConnectedClusters {@code max-connected-clusters}, 255 (Cilium's default) when absent
 * @param podCidrs             the member's Pod CIDRs from Nodes and CiliumNodes, deduplicated and sorted
 * @param findings             everything wrong, all at once; empty when the member looks fit to join
 */
public record MemberFacts(String server, boolean reachable, Optional<String> serverVersion,
    Optional<String> kubeSystemUid, Optional<String> ciliumClusterName, OptionalInt ciliumClusterId,
    int maxConnectedClusters, List<PodCidr> podCidrs, List<Finding> findings) {

  /** Cilium's {@code max-connected-clusters} when cilium-config does not set it. */
  public static final int DEFAULT_MAX_CONNECTED_CLUSTERS = 255;

  public MemberFacts {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(serverVersion, "serverVersion");
    Objects.requireNonNull(kubeSystemUid, "kubeSystemUid");
    Objects.requireNonNull(ciliumClusterName, "ciliumClusterName");
    Objects.requireNonNull(ciliumClusterId, "ciliumClusterId");
    podCidrs = List.copyOf(podCidrs);
    findings = List.copyOf(findings);
  }

  /** True when nothing was found wrong. */
  public boolean healthy() {
    return findings.isEmpty();
  }

  /** The findings about the kubeconfig's rights (field {@code kubeconfig}). */
  public List<Finding> permissionFindings() {
    return findings.stream().filter(finding -> finding.field().equals(AccessReviewer.FIELD)).toList();
  }
}
