package io.meshfed.certs;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mesh's whole PKI as one immutable value: the signing root, the trust bundle and the inventory
 * of everything issued. Storage (a CA directory for the CLI, etcd for the controller) loads and saves
 * it; {@link CaRotation} turns one value into the next.
 */
public record MeshPki(
    String mesh,
    KeyType keyType,
    int generation,
    CertifiedKey root,
    TrustBundle bundle,
    Map<String, IssuedCertificate> issued) {

  public MeshPki {
    CertificateIssuer.validateMeshName(mesh);
    issued = Collections.unmodifiableMap(new TreeMap<>(issued));
  }

  /** A new mesh: a root of generation 1 and nothing issued yet. */
  public static MeshPki create(CertificateIssuer issuer, String mesh, KeyType keyType) {
    CertifiedKey root = issuer.createRoot(mesh, 1, keyType, CertificateIssuer.ROOT_VALIDITY);
    return new MeshPki(mesh, keyType, 1, root, TrustBundle.of(List.of(root.certificate())), Map.of());
  }

  /** The CA that signs for {@code issuerName}: the root, or a cluster's intermediate. */
  public CertifiedKey signer(String issuerName) {
    if (IssuedCertificate.ROOT_ISSUER.equals(issuerName)) {
      return root;
    }
    IssuedCertificate entry = issued.get(issuerName);
    if (entry == null || entry.kind() != IssuedCertificate.Kind.INTERMEDIATE) {
      throw new PkiException("issuer", "no intermediate for cluster \"" + issuerName + "\"; issue one with --intermediate " + issuerName);
    }
    return entry.current();
  }

  /** Issues a cluster intermediate and records it. Refuses a cluster that already has one. */
  public MeshPki withIntermediate(CertificateIssuer issuer, String cluster, java.time.Duration validity) {
    if (issued.containsKey(cluster)) {
      throw new PkiException("intermediate " + cluster, "already issued; use `meshfed ca rotate` to renew it");
    }
    CertifiedKey ca = issuer.createIntermediate(root, mesh, cluster, keyType, validity);
    return with(new IssuedCertificate(cluster, IssuedCertificate.Kind.INTERMEDIATE, IssuedCertificate.ROOT_ISSUER, null, ca, List.of(), null));
  }

  /** Issues a leaf and records it under {@code name}, replacing an earlier entry of that name. */
  public MeshPki withLeaf(CertificateIssuer issuer, String name, String issuerName, LeafSpec spec, String out) {
    CertifiedKey leaf = issuer.issueLeaf(signer(issuerName), spec, KeyType.EC_P256);
    IssuedCertificate.Kind kind = spec.kind() == LeafSpec.Kind.CLIENT ? IssuedCertificate.Kind.CLIENT : IssuedCertificate.Kind.SERVER;
    IssuedCertificate entry = issued.containsKey(name)
        ? issued.get(name).reissued(leaf)
        : new IssuedCertificate(name, kind, issuerName, spec, leaf, List.of(), out);
    return with(entry);
  }

  public MeshPki with(IssuedCertificate entry) {
    Map<String, IssuedCertificate> next = new TreeMap<>(issued);
    next.put(entry.name(), entry);
    return new MeshPki(mesh, keyType, generation, root, bundle, next);
  }

  /** The root in the bundle that {@code cert} chains to (through its intermediate), or null. */
  public X509Certificate rootOf(X509Certificate cert) {
    for (X509Certificate r : bundle.roots()) {
      if (cert.getIssuerX500Principal().equals(r.getSubjectX500Principal())) {
        return r;
      }
    }
    for (IssuedCertificate entry : issued.values()) {
      if (entry.kind() != IssuedCertificate.Kind.INTERMEDIATE) {
        continue;
      }
      List<X509Certificate> cas = new ArrayList<>(entry.superseded());
      cas.add(entry.current().certificate());
      for (X509Certificate ca : cas) {
        if (cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) && verifiesWith(cert, ca)) {
          return rootOf(ca);
        }
      }
    }
    return null;
  }

  /** Every certificate a peer may still present: current and superseded, intermediates and leaves. */
  public List<X509Certificate> certificatesInUse() {
    List<X509Certificate> all = new ArrayList<>();
    for (IssuedCertificate entry : issued.values()) {
      all.add(entry.current().certificate());
      all.addAll(entry.superseded());
    }
    return all;
  }

  private static boolean verifiesWith(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey(), Fips.PROVIDER);
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
