package io.meshfed.certs;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/** What {@code meshfed ca inspect} shows: plain values, ready for a table or JSON. */
public record CertificateInfo(
    String subject,
    String issuer,
    String serial,
    Instant notBefore,
    Instant notAfter,
    long daysLeft,
    boolean ca,
    int pathLength,
    List<String> dnsNames,
    List<String> ipAddresses,
    List<String> extendedKeyUsages,
    String keyType,
    String sha256Fingerprint) {

  public static CertificateInfo of(X509Certificate cert, Instant now) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> san : cert.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (type == 2) {
            dns.add(String.valueOf(san.get(1)));
          } else if (type == 7) {
            ips.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new PkiException("subjectAlternativeName", "cannot parse: " + e.getMessage(), e);
    }
    List<String> eku = new ArrayList<>();
    try {
      if (cert.getExtendedKeyUsage() != null) {
        for (String oid : cert.getExtendedKeyUsage()) {
          eku.add(ekuName(oid));
        }
      }
    } catch (CertificateParsingException e) {
      throw new PkiException("extendedKeyUsage", "cannot parse: " + e.getMessage(), e);
    }
    Instant notAfter = cert.getNotAfter().toInstant();
    long daysLeft = Duration.between(now, notAfter).toDays();
    String keyType;
    try {
      keyType = KeyType.of(cert.getPublicKey()).cliName();
    } catch (PkiException e) {
      keyType = cert.getPublicKey().getAlgorithm() + " (not approved for the mesh)";
    }
    return new CertificateInfo(
        cert.getSubjectX500Principal().getName(),
        cert.getIssuerX500Principal().getName(),
        cert.getSerialNumber().toString(16),
        cert.getNotBefore().toInstant(),
        notAfter,
        daysLeft,
        cert.getBasicConstraints() >= 0,
        cert.getBasicConstraints(),
        dns,
        ips,
        eku,
        keyType,
        fingerprint(cert));
  }

  /** SHA-256 over the DER encoding, as {@code openssl x509 -fingerprint -sha256} prints it. */
  public static String fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256", Fips.PROVIDER).digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * {@code sha256:<hex>} of the certificate's SubjectPublicKeyInfo, as kubeadm's
   * {@code --discovery-token-ca-cert-hash}: a joining cluster pins the mesh root with it.
   */
  public static String publicKeyPin(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256", Fips.PROVIDER).digest(cert.getPublicKey().getEncoded());
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static String ekuName(String oid) {
    if (oid.equals(KeyPurposeId.id_kp_serverAuth.getId())) {
      return "serverAuth";
    }
    if (oid.equals(KeyPurposeId.id_kp_clientAuth.getId())) {
      return "clientAuth";
    }
    return oid;
  }
}
