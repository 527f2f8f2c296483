package io.meshfed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.ChainVerifier;
import io.meshfed.certs.CryptoProviders;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.TrustBundle;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Keeps the benchmark honest: both sides issue real, verifiable certificates, and the report math is right. */
class PkiBenchmarkReportTest {
  @Test
  @DisplayName("the JDK-provider side of the benchmark issues a real chain too, so the ratio compares equal work (RSA here: SunEC cannot run behind BCFIPS in one JVM; the benchmark forks per side)")
  void jdkSideIssuesVerifiableCertificates() throws Exception {
    Fips.installAndCheck();
    CertificateIssuer jdk = new CertificateIssuer(Clock.systemUTC(), java.security.SecureRandom.getInstance("NativePRNGNonBlocking", "SUN"), CryptoProviders.JDK);
    CertifiedKey root = jdk.createRoot("bench", 1, KeyType.RSA_3072, CertificateIssuer.ROOT_VALIDITY);
    CertifiedKey inter = jdk.createIntermediate(root, "bench", "c1", KeyType.RSA_3072, CertificateIssuer.INTERMEDIATE_VALIDITY);
    CertifiedKey leaf = jdk.issueLeaf(inter, LeafSpec.client("agent.bench"), KeyType.RSA_3072);
    assertThat(leaf.privateKey().getClass().getName()).startsWith("sun.security");
    assertThat(leaf.certificate().getClass().getName()).startsWith("sun.security");
    ChainVerifier.Result r = new ChainVerifier(Clock.systemUTC()).verify(TrustBundle.of(List.of(root.certificate())), leaf.certificate(), leaf.chain());
    assertThat(r.valid()).as(r.reason()).isTrue();
    assertThat(FipsRandom.get()).isNotNull();
  }

  @Test
  @DisplayName("the report pairs FIPS and JDK scores per operation and key type and computes the ratio")
  void reportMath() {
    PkiBenchmarkReport.Row row = new PkiBenchmarkReport.Row("signOnly", "EC_P256", 500, 2000);
    assertThat(row.ratio()).isEqualTo(0.25);
    String md = PkiBenchmarkReport.markdown(List.of(row));
    assertThat(md).contains("| signOnly | EC_P256 | 500.0 | 2000.0 | 0.25 |");
  }
}
