package io.meshfed.controller.health;

import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.PolicyKind;
import java.time.Instant;

/** The wire report to the plain record health rules and etcd work with. */
final class ReportMapper {
  private ReportMapper() {}

  /**
   * @param cluster from the client certificate, never from the report
   * @param receivedAt the controller's clock: agents' clocks may be off
   */
  static AgentSnapshot toSnapshot(String cluster, HealthReport r, Instant receivedAt, long intervalSeconds) {
    return new AgentSnapshot(cluster, receivedAt, r.getSequence(), r.getAgentVersion(), intervalSeconds,
        r.hasKubernetes() ? new AgentSnapshot.Kubernetes(r.getKubernetes().getReachable(), r.getKubernetes().getLatencyMs(),
            blankToNull(r.getKubernetes().getError())) : null,
        r.hasCilium() ? new AgentSnapshot.Cilium(r.getCilium().getDaemonsetDesired(), r.getCilium().getDaemonsetReady(),
            r.getCilium().getConfigClusterName(), r.getCilium().getConfigClusterId() == 0 ? "" : String.valueOf(r.getCilium().getConfigClusterId()),
            blankToNull(r.getCilium().getError())) : null,
        r.hasNodes() ? new AgentSnapshot.Nodes(r.getNodes().getReady(), r.getNodes().getTotal()) : null,
        r.hasCounts() ? new AgentSnapshot.Counts(count(r.getCounts().getIdentities()), count(r.getCounts().getEndpoints()),
            count(r.getCounts().getCiliumNodes()), count(r.getCounts().getGlobalServices())) : null,
        r.getCertificatesList().stream().map(c -> new AgentSnapshot.Certificate(c.getName(),
            c.getSource() == CertificateSource.CERTIFICATE_SOURCE_SECRET ? "secret" : "mounted",
            Instant.ofEpochSecond(c.getNotAfter()), c.getSubject())).toList(),
        r.getPoliciesList().stream().map(p -> new AgentSnapshot.Policy(
            p.getKind() == PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy",
            blankToNull(p.getNamespace()), p.getName(), p.getGeneration(), p.getHash())).toList(),
        r.hasEtcd() ? new AgentSnapshot.Etcd(r.getEtcd().getReachable(), r.getEtcd().getHandshakeMs(), r.getEtcd().getHeartbeatAgeSeconds(),
            blankToNull(r.getEtcd().getError())) : null);
  }

  private static AgentSnapshot.Count count(ObjectCount c) {
    // A count that failed is not a count: leave it out of comparisons.
    return c == null || !c.getError().isEmpty() ? null : new AgentSnapshot.Count(c.getCount(), c.getExact());
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
