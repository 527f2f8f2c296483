package io.meshfed.agent.collect;

import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.NodeStatus;
import io.meshfed.api.health.v1.ObjectCounts;
import io.meshfed.api.health.v1.PolicyStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest result of every collector; null = not collected yet. Written and read on the
 * collector thread only.
 */
public final class Results {
  KubernetesStatus kubernetes;
  CiliumStatus cilium;
  NodeStatus nodes;
  ObjectCounts counts;
  List<CertificateStatus> mountedCertificates = List.of();
  String mountedCertificatesError = "";
  List<CertificateStatus> secretCertificates = List.of();
  String secretCertificatesError = "";
  List<PolicyStatus> policies = List.of();
  String policiesError = "";
  boolean policiesTruncated;
  EtcdStatus etcd;

  /** The report body (no sequence, time or agent header): what the collectors saw last. */
  public HealthReport.Builder toReport() {
    HealthReport.Builder b = HealthReport.newBuilder();
    if (kubernetes != null) {
      b.setKubernetes(kubernetes);
    }
    if (cilium != null) {
      b.setCilium(cilium);
    }
    if (nodes != null) {
      b.setNodes(nodes);
    }
    if (counts != null) {
      b.setCounts(counts);
    }
    List<CertificateStatus> certificates = new ArrayList<>(mountedCertificates);
    certificates.addAll(secretCertificates);
    if (certificates.size() > HealthReports.MAX_CERTIFICATES) {
      certificates = certificates.subList(0, HealthReports.MAX_CERTIFICATES);
      b.setCertificatesTruncated(true);
    }
    b.addAllCertificates(certificates);
    b.setCertificatesError(HealthReports.errorText(join(mountedCertificatesError, secretCertificatesError)));
    b.addAllPolicies(policies).setPoliciesError(policiesError).setPoliciesTruncated(policiesTruncated);
    if (etcd != null) {
      b.setEtcd(etcd);
    }
    return b;
  }

  static String join(String a, String b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.isEmpty() ? a : a + "; " + b;
  }
}
