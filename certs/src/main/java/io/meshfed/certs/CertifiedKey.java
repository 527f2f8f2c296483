package io.meshfed.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate with its private key and the issuing chain above it, up to but not including the
 * root (the root travels in the {@link TrustBundle}). A TLS peer presents {@code certificate} then
 * {@code chain}, so a verifier that trusts only the root can build the path.
 */
public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
  public CertifiedKey {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
  }

  /** A self-signed root or anything presented without intermediates. */
  public static CertifiedKey selfContained(X509Certificate certificate, PrivateKey privateKey) {
    return new CertifiedKey(certificate, privateKey, List.of());
  }

  /** The certificate followed by its chain: what a TLS peer sends. */
  public List<X509Certificate> certificateAndChain() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(certificate), chain.stream()).toList();
  }

  /** The subject distinguished name, RFC 2253. */
  public String subject() {
    return certificate.getSubjectX500Principal().getName();
  }
}
