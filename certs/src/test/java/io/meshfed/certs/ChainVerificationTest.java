package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every chain we produce must verify with OpenSSL (what Go and C peers resemble) and with the JDK's
 * own PKIX validator (provider SUN, not ours), and a leaf from another mesh must fail with both.
 */
class ChainVerificationTest {
  @TempDir Path tmp;

  // Real time: openssl verifies against the wall clock.
  private final CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), FipsRandom.get());
  private final TestPki.Hierarchy mesh = TestPki.hierarchy(issuer, "prod");
  private final TestPki.Hierarchy foreign = TestPki.hierarchy(issuer, "other");

  @Test
  @DisplayName("root -> intermediate -> server leaf and -> client leaf verify with openssl verify")
  void opensslAcceptsOurChains() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")) || onPath("openssl"), "openssl is not installed; skipping the OpenSSL check");
    Path root = write("root.pem", mesh.bundle().toPem());
    Path inter = write("inter.pem", Pem.encodeCertificate(mesh.intermediate().certificate()));
    Path server = write("server.pem", Pem.encodeCertificate(mesh.server().certificate()));
    Path client = write("client.pem", Pem.encodeCertificate(mesh.client().certificate()));

    assertThat(openssl("verify", "-CAfile", root.toString(), "-untrusted", inter.toString(), "-purpose", "sslserver", server.toString())).isZero();
    assertThat(openssl("verify", "-CAfile", root.toString(), "-untrusted", inter.toString(), "-purpose", "sslclient", client.toString())).isZero();
    assertThat(openssl("verify", "-CAfile", root.toString(), inter.toString())).isZero();
  }

  @Test
  @DisplayName("a leaf from another mesh root is refused by openssl")
  void opensslRefusesForeignLeaf() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")) || onPath("openssl"), "openssl is not installed; skipping the OpenSSL check");
    Path root = write("root.pem", mesh.bundle().toPem());
    Path inter = write("finter.pem", Pem.encodeCertificate(foreign.intermediate().certificate()));
    Path server = write("fserver.pem", Pem.encodeCertificate(foreign.server().certificate()));
    assertThat(openssl("verify", "-CAfile", root.toString(), "-untrusted", inter.toString(), server.toString())).isNotZero();
  }

  @Test
  @DisplayName("the JDK's PKIX CertPathValidator (SUN provider) accepts our chains and refuses a foreign leaf")
  void jdkPkixAcceptsOurChains() throws Exception {
    assertThat(jdkValidate(mesh.root().certificate(), mesh.server())).isTrue();
    assertThat(jdkValidate(mesh.root().certificate(), mesh.client())).isTrue();
    assertThat(jdkValidate(mesh.root().certificate(), foreign.server())).isFalse();
  }

  @Test
  @DisplayName("our BCFIPS ChainVerifier agrees, names the anchor, and refuses a foreign leaf with a reason")
  void chainVerifierAgrees() {
    ChainVerifier verifier = new ChainVerifier(Clock.systemUTC());
    ChainVerifier.Result ok = verifier.verify(mesh.bundle(), mesh.server().certificate(), mesh.server().chain());
    assertThat(ok.valid()).isTrue();
    assertThat(ok.anchor()).isEqualTo(mesh.root().certificate());
    ChainVerifier.Result bad = verifier.verify(mesh.bundle(), foreign.server().certificate(), foreign.server().chain());
    assertThat(bad.valid()).isFalse();
    assertThat(bad.reason()).isNotBlank();
  }

  @Test
  @DisplayName("an expired leaf (issued through an old clock) is refused by the verifier")
  void expiredLeafRefused() {
    CertificateIssuer past = TestPki.issuerAt(java.time.Instant.now().minus(TestPki.days(10)));
    CertifiedKey old = past.issueLeaf(mesh.intermediate(), LeafSpec.client("agent.c1").withValidity(TestPki.days(1)), KeyType.EC_P256);
    ChainVerifier.Result r = new ChainVerifier(Clock.systemUTC()).verify(mesh.bundle(), old.certificate(), old.chain());
    assertThat(r.valid()).isFalse();
    assertThat(r.reason()).containsIgnoringCase("expired");
  }

  private static boolean jdkValidate(X509Certificate root, CertifiedKey leaf) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509", "SUN");
    List<X509Certificate> path = new ArrayList<>();
    // Re-parse with the JDK so nothing of BCFIPS takes part in the check.
    for (X509Certificate c : leaf.certificateAndChain()) {
      path.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(c.getEncoded())));
    }
    X509Certificate anchor = (X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(root.getEncoded()));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    params.setDate(new Date());
    try {
      CertPathValidator.getInstance("PKIX", "SUN").validate(cf.generateCertPath(path), params);
      return true;
    } catch (java.security.cert.CertPathValidatorException e) {
      return false;
    }
  }

  private Path write(String name, String content) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, content, StandardCharsets.US_ASCII);
    return p;
  }

  static int openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    System.out.println(String.join(" ", cmd) + " -> " + rc + ": " + out.trim());
    return rc;
  }

  static boolean onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, exe))) {
        return true;
      }
    }
    return false;
  }
}
