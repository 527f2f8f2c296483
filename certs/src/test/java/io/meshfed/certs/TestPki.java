package io.meshfed.certs;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Shared fixtures: an issuer on a fixed clock, and a root -> intermediate -> leaves hierarchy. */
final class TestPki {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final int FAST_KDF = 1_000; // tests only: production uses KeyEncryption.ITERATIONS

  static {
    Fips.installAndCheck();
  }

  private TestPki() {}

  static Clock clockAt(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  static CertificateIssuer issuer() {
    return issuerAt(NOW);
  }

  static CertificateIssuer issuerAt(Instant instant) {
    return new CertificateIssuer(clockAt(instant), FipsRandom.get());
  }

  static Passphrase passphrase() {
    return Passphrase.of("test", "correct horse battery staple".toCharArray());
  }

  static InetAddress loopback() {
    return IpAddresses.parse("ip", "127.0.0.1");
  }

  /** root -> intermediate(c1) -> server leaf and client leaf. */
  record Hierarchy(CertifiedKey root, CertifiedKey intermediate, CertifiedKey server, CertifiedKey client) {
    TrustBundle bundle() {
      return TrustBundle.of(List.of(root.certificate()));
    }
  }

  static Hierarchy hierarchy(CertificateIssuer issuer, String mesh) {
    CertifiedKey root = issuer.createRoot(mesh, 1, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY);
    CertifiedKey intermediate = issuer.createIntermediate(root, mesh, "c1", KeyType.EC_P256, CertificateIssuer.INTERMEDIATE_VALIDITY);
    CertifiedKey server = issuer.issueLeaf(intermediate, LeafSpec.server(List.of("localhost", "controller.mesh.example"), List.of(loopback())), KeyType.EC_P256);
    CertifiedKey client = issuer.issueLeaf(intermediate, LeafSpec.client("agent.c1"), KeyType.EC_P256);
    return new Hierarchy(root, intermediate, server, client);
  }

  static Duration days(long n) {
    return Duration.ofDays(n);
  }
}
