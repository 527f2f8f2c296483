package io.meshfed.controller.join;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.member.CidrOverlap;
import io.meshfed.controller.member.PodCidr;
import io.meshfed.controller.member.PodCidrs;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The controller's half of the join pre-flight, as a pure function of the request, the mesh and
 * the members: every finding at once, each naming its field and rule. (The joining side adds what
 * only it can see: reachability and rights of its kubeconfig.)
 */
public final class JoinValidator {
  private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

  private JoinValidator() {}

  public static List<Finding> validate(JoinRequest req, MeshRecord mesh, List<ClusterRecord> members) {
    List<Finding> findings = new ArrayList<>();
    MaxConnectedClusters max = MaxConnectedClusters.of(mesh.maxConnectedClusters());
    ClusterName.check("cluster-name", req.clusterName()).ifPresent(findings::add);
    if (req.clusterId() == null) {
      findings.add(new Finding("cluster-id", "", "is required"));
    } else {
      ClusterId.check("cluster-id", req.clusterId(), max).ifPresent(findings::add);
    }
    if (req.kubeSystemUid() == null || req.kubeSystemUid().isBlank()) {
      findings.add(new Finding("kube-system uid", "", "could not be read from the member; the kubeconfig must be able to get namespace kube-system"));
    }
    for (ClusterRecord m : members) {
      if (m.name().equals(req.clusterName())) {
        findings.add(new Finding("cluster-name", req.clusterName(), "is already a member of the mesh (run `meshfed leave --cluster " + m.name() + "` first)"));
      }
      if (req.clusterId() != null && m.id() == req.clusterId()) {
        findings.add(new Finding("cluster-id", String.valueOf(req.clusterId()), "is already used by member \"" + m.name() + "\""));
      }
      if (req.kubeSystemUid() != null && req.kubeSystemUid().equals(m.kubeSystemUid()) && !m.name().equals(req.clusterName())) {
        findings.add(new Finding("kube-system uid", req.kubeSystemUid(), "this Kubernetes cluster is already a member as \"" + m.name() + "\""));
      }
    }
    JoinRequest.CiliumConfig cc = req.ciliumConfig();
    if (cc == null) {
      findings.add(new Finding("cilium-config", "", "kube-system/cilium-config was not found: is Cilium installed in the member?"));
    } else {
      if (cc.clusterName() == null || !cc.clusterName().equals(req.clusterName())) {
        findings.add(new Finding("cilium-config cluster-name", String.valueOf(cc.clusterName()), "must equal --cluster-name \"" + req.clusterName() + "\""));
      }
      if (cc.clusterId() == null || req.clusterId() == null || !cc.clusterId().equals(String.valueOf(req.clusterId()))) {
        findings.add(new Finding("cilium-config cluster-id", String.valueOf(cc.clusterId()), "must equal --cluster-id " + req.clusterId()));
      }
      String memberMax = cc.maxConnectedClusters() == null ? "255" : cc.maxConnectedClusters();
      if (!memberMax.equals(String.valueOf(mesh.maxConnectedClusters()))) {
        findings.add(new Finding("cilium-config max-connected-clusters", memberMax, "must equal the mesh's " + mesh.maxConnectedClusters()));
      }
    }
    List<PodCidr> mine = new ArrayList<>();
    for (String c : req.podCidrs()) {
      try {
        mine.add(PodCidrs.parse(c));
      } catch (RuntimeException e) {
        findings.add(new Finding("pod CIDR", c, "is not a CIDR"));
      }
    }
    for (ClusterRecord m : members) {
      if (m.name().equals(req.clusterName())) {
        continue;
      }
      List<PodCidr> theirs = new ArrayList<>();
      for (String c : m.podCidrs()) {
        try {
          theirs.add(PodCidrs.parse(c));
        } catch (RuntimeException ignored) {
          // a member's stored CIDRs were validated at its join
        }
      }
      for (CidrOverlap o : PodCidrs.overlapsAny(mine, theirs)) {
        findings.add(new Finding("pod CIDR", o.mine().toString(), "overlaps " + o.other() + " of member \"" + m.name() + "\""));
      }
    }
    if (req.etcdProxy() != null) {
      EtcdProxyName.check("etcd-proxy-name", req.etcdProxy()).ifPresent(findings::add);
    }
    for (Map.Entry<String, String> l : req.labels().entrySet()) {
      if (!LABEL_KEY.matcher(l.getKey()).matches() || l.getKey().length() > 316) {
        findings.add(new Finding("label", l.getKey(), "is not a valid label key"));
      }
      if (l.getValue() == null || !LABEL_VALUE.matcher(l.getValue()).matches()) {
        findings.add(new Finding("label " + l.getKey(), String.valueOf(l.getValue()), "is not a valid label value (at most 63 of [A-Za-z0-9-_.])"));
      }
    }
    return findings;
  }
}
