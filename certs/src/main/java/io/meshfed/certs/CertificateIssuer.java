package io.meshfed.certs;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Issues every certificate of the mesh with BCFIPS: the mesh root, one intermediate per member
 * cluster, and server/client leaves. Time comes from the injected {@link Clock}, so expiry and
 * renewal are testable without waiting.
 *
 * <p>Rules enforced here, not left to callers: a certificate never outlives its issuer; serials are
 * positive, random and at least 64 bits; notBefore is backdated a few minutes for peers with skewed
 * clocks (never before the issuer's own notBefore); every generation of root has its own DN.
 */
public final class CertificateIssuer {
  /** Default root validity: ten years. */
  public static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
  /** Default intermediate validity: three years. */
  public static final Duration INTERMEDIATE_VALIDITY = Duration.ofDays(1095);
  /** How far notBefore is set back, for peers whose clocks run a little behind. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final Pattern MESH_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final Clock clock;
  private final SecureRandom random;
  private final CryptoProviders providers;

  public CertificateIssuer(Clock clock, SecureRandom random) {
    this(clock, random, CryptoProviders.FIPS);
  }

  /** Non-FIPS providers are for the benchmark's comparison only. */
  public CertificateIssuer(Clock clock, SecureRandom random, CryptoProviders providers) {
    this.clock = clock;
    this.random = random;
    this.providers = providers;
  }

  /** An issuer on the system clock and the FIPS DRBG. */
  public static CertificateIssuer systemDefault() {
    return new CertificateIssuer(Clock.systemUTC(), FipsRandom.get());
  }

  public Clock clock() {
    return clock;
  }

  /** The mesh root: self-signed, pathLen 1 (root, intermediate, leaf), keyCertSign|cRLSign. */
  public CertifiedKey createRoot(String mesh, int generation, KeyType keyType, Duration validity) {
    validateMeshName(mesh);
    if (generation < 1) {
      throw new PkiException("generation", "must be 1 or more");
    }
    KeyPair keys = keyType.generate(random, providers);
    X500Name subject = rootName(mesh, generation);
    Instant now = clock.instant();
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(validity);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
    addCaExtensions(builder, 1, keys.getPublic(), null, "root");
    X509Certificate cert = sign(builder, keys.getPrivate(), keyType);
    return CertifiedKey.selfContained(cert, keys.getPrivate());
  }

  /**
   * Re-issues a root with the same key and DN and a fresh validity (renewal): every certificate it
   * signed keeps verifying, because the key and the name it chains to did not change.
   */
  public CertifiedKey renewRoot(CertifiedKey root, Duration validity) {
    X509Certificate old = root.certificate();
    Instant now = clock.instant();
    X500Name subject = X500Name.getInstance(old.getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject, serial(), Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, old.getPublicKey());
    addCaExtensions(builder, 1, old.getPublicKey(), null, "root");
    return CertifiedKey.selfContained(sign(builder, root.privateKey(), KeyType.of(old.getPublicKey())), root.privateKey());
  }

  /** A per-cluster intermediate CA signed by the root; pathLen 0, so it can sign only leaves. */
  public CertifiedKey createIntermediate(CertifiedKey root, String mesh, String cluster, KeyType keyType, Duration validity) {
    validateMeshName(mesh);
    validateMeshName(cluster);
    KeyPair keys = keyType.generate(random, providers);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "meshfed")
        .addRDN(BCStyle.OU, mesh)
        .addRDN(BCStyle.CN, "meshfed cluster " + cluster + " ca " + generationOf(root))
        .build();
    Validity v = validityUnder(root, validity, "intermediate " + cluster);
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        root.certificate(), serial(), Date.from(v.notBefore()), Date.from(v.notAfter()), subject, keys.getPublic());
    addCaExtensions(builder, 0, keys.getPublic(), root.certificate(), "intermediate " + cluster);
    X509Certificate cert = sign(builder, root.privateKey(), KeyType.of(root.certificate().getPublicKey()));
    return new CertifiedKey(cert, keys.getPrivate(), List.of());
  }

  /**
   * Renews an intermediate: same key and DN, new serial and validity, so the leaves it signed keep
   * verifying.
   */
  public CertifiedKey createIntermediateForKey(CertifiedKey root, String mesh, CertifiedKey existing, Duration validity) {
    X500Name subject = X500Name.getInstance(existing.certificate().getSubjectX500Principal().getEncoded());
    Validity v = validityUnder(root, validity, "intermediate " + subject);
    PublicKey publicKey = existing.certificate().getPublicKey();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        root.certificate(), serial(), Date.from(v.notBefore()), Date.from(v.notAfter()), subject, publicKey);
    addCaExtensions(builder, 0, publicKey, root.certificate(), "intermediate " + subject);
    X509Certificate cert = sign(builder, root.privateKey(), KeyType.of(root.certificate().getPublicKey()));
    return new CertifiedKey(cert, existing.privateKey(), List.of());
  }

  /** A leaf signed by {@code issuer} (the root, or a cluster intermediate), with a fresh key. */
  public CertifiedKey issueLeaf(CertifiedKey issuer, LeafSpec spec, KeyType keyType) {
    KeyPair keys = keyType.generate(random, providers);
    return issueLeaf(issuer, spec, keys.getPublic(), keys.getPrivate());
  }

  /** A leaf for an existing key pair (used when a peer keeps its key across renewals). */
  public CertifiedKey issueLeaf(CertifiedKey issuer, LeafSpec spec, PublicKey publicKey, PrivateKey privateKey) {
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "meshfed");
    if (spec.commonName() != null) {
      name.addRDN(BCStyle.CN, spec.commonName());
    }
    X500Name subject = name.build();
    Validity v = validityUnder(issuer, spec.validity(), "leaf " + spec.describe());
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        issuer.certificate(), serial(), Date.from(v.notBefore()), Date.from(v.notAfter()), subject, publicKey);
    try {
      JcaX509ExtensionUtils ext = extensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature;
      if (KeyType.of(publicKey) == KeyType.RSA_3072) {
        usage |= KeyUsage.keyEncipherment; // RSA key transport in TLS 1.2 peers
      }
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      List<KeyPurposeId> purposes = new ArrayList<>();
      if (spec.kind() != LeafSpec.Kind.CLIENT) {
        purposes.add(KeyPurposeId.id_kp_serverAuth);
      }
      if (spec.kind() != LeafSpec.Kind.SERVER) {
        purposes.add(KeyPurposeId.id_kp_clientAuth);
      }
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
      List<ASN1Encodable> names = new ArrayList<>();
      for (String dns : spec.dnsNames()) {
        names.add(new GeneralName(GeneralName.dNSName, dns));
      }
      for (InetAddress ip : spec.ipAddresses()) {
        names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress()));
      }
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new DERSequence(names.toArray(ASN1Encodable[]::new)));
      }
      builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer.certificate()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new PkiException("leaf " + spec.describe(), "could not build extensions: " + e.getMessage(), e);
    }
    X509Certificate cert = sign(builder, issuer.privateKey(), KeyType.of(issuer.certificate().getPublicKey()));
    List<X509Certificate> chain = new ArrayList<>();
    if (!isSelfSigned(issuer.certificate())) {
      chain.add(issuer.certificate());
      chain.addAll(issuer.chain());
    }
    return new CertifiedKey(cert, privateKey, chain);
  }

  /** The DN of root generation {@code n}: distinct per generation, so peers never confuse two roots. */
  public static X500Name rootName(String mesh, int generation) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "meshfed")
        .addRDN(BCStyle.OU, mesh)
        .addRDN(BCStyle.CN, "meshfed root " + mesh + " v" + generation)
        .build();
  }

  /** Reads the generation back from a root's CN ("... v3" gives 3); 0 when the DN is not ours. */
  public static int generationOf(CertifiedKey root) {
    String dn = root.certificate().getSubjectX500Principal().getName();
    java.util.regex.Matcher m = Pattern.compile("CN=meshfed root [^,]* v(\\d+)").matcher(dn);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  static boolean isSelfSigned(X509Certificate cert) {
    return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
  }

  static void validateMeshName(String name) {
    if (name == null || !MESH_NAME.matcher(name).matches()) {
      throw new PkiException(
          "mesh",
          "name \"" + name + "\" must be 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit");
    }
  }

  private record Validity(Instant notBefore, Instant notAfter) {}

  private Validity validityUnder(CertifiedKey issuer, Duration validity, String what) {
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    Instant issuerNotAfter = issuer.certificate().getNotAfter().toInstant();
    if (notAfter.isAfter(issuerNotAfter)) {
      throw new PkiException(
          what,
          "requested validity ends "
              + notAfter
              + " but the issuer \""
              + issuer.subject()
              + "\" expires "
              + issuerNotAfter
              + "; a certificate may not outlive its issuer (shorten the validity or rotate the issuer)");
    }
    Instant notBefore = now.minus(BACKDATE);
    Instant issuerNotBefore = issuer.certificate().getNotBefore().toInstant();
    if (notBefore.isBefore(issuerNotBefore)) {
      notBefore = issuerNotBefore;
    }
    return new Validity(notBefore, notAfter);
  }

  /**
   * The extensions every CA certificate carries: critical basicConstraints with {@code pathLen},
   * critical keyUsage keyCertSign|cRLSign, and SHA-256 key identifiers. {@code issuer} null means
   * self-signed (the authority key id is the subject's own).
   */
  private static void addCaExtensions(X509v3CertificateBuilder builder, int pathLen, PublicKey subjectKey, X509Certificate issuer, String what) {
    try {
      JcaX509ExtensionUtils ext = extensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          issuer == null ? ext.createAuthorityKeyIdentifier(subjectKey) : ext.createAuthorityKeyIdentifier(issuer));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new PkiException(what, "could not build extensions: " + e.getMessage(), e);
    }
  }

  private BigInteger serial() {
    // 159 random bits with the top one set: positive, at least 64 bits, at most 20 octets (RFC 5280).
    return new BigInteger(159, random).setBit(158);
  }

  private static JcaX509ExtensionUtils extensionUtils() throws GeneralSecurityException {
    try {
      // SHA-256 key identifiers: the no-argument constructor would use SHA-1.
      return new JcaX509ExtensionUtils(
          new JcaDigestCalculatorProviderBuilder()
              .setProvider(Fips.PROVIDER)
              .build()
              .get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, KeyType keyType) {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(keyType.signatureAlgorithm()).setProvider(providers.forKeyType(keyType)).build(key);
      return new JcaX509CertificateConverter().setProvider(providers.certificates()).getCertificate(builder.build(signer));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new PkiException(
          "signature " + keyType.signatureAlgorithm().toLowerCase(Locale.ROOT), "signing failed: " + e.getMessage(), e);
    }
  }
}
