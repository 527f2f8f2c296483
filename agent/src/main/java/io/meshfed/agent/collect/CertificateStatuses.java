package io.meshfed.agent.collect;

import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Certificates as a report lists them. */
final class CertificateStatuses {
  private CertificateStatuses() {}

  /** One entry per certificate: {@code name} for the first, {@code name#1}, {@code name#2}... for the others. */
  static List<CertificateStatus> of(String name, List<X509Certificate> certificates, CertificateSource source) {
    List<CertificateStatus> out = new ArrayList<>();
    for (int i = 0; i < certificates.size(); i++) {
      X509Certificate cert = certificates.get(i);
      String subject = cert.getSubjectX500Principal().getName();
      out.add(CertificateStatus.newBuilder()
          .setName(i == 0 ? name : name + "#" + i)
          .setSource(source)
          .setNotAfter(cert.getNotAfter().toInstant().getEpochSecond())
          .setSubject(subject.length() <= HealthReports.MAX_SUBJECT_CHARS ? subject : subject.substring(0, HealthReports.MAX_SUBJECT_CHARS))
          .build());
    }
    return out;
  }
}
