package io.meshfed.controller.runtime;

import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.TrustBundle;
import java.time.Duration;

/**
 * The mesh CA inside the controller: the root key (decrypted at start from {@code meshfed/ca}) and
 * the bundle. Issues a cluster's intermediate and, under it, the cluster's leaves.
 */
public final class CaSigner {
  private final String mesh;
  private final CertifiedKey root;
  private final TrustBundle bundle;
  private final CertificateIssuer issuer;

  public CaSigner(String mesh, CertifiedKey root, TrustBundle bundle, CertificateIssuer issuer) {
    this.mesh = mesh;
    this.root = root;
    this.bundle = bundle;
    this.issuer = issuer;
  }

  public TrustBundle bundle() {
    return bundle;
  }

  public CertifiedKey root() {
    return root;
  }

  /** A cluster's intermediate: three years, or what is left of the root's life. */
  public CertifiedKey intermediateFor(String cluster) {
    return issuer.createIntermediate(root, mesh, cluster, KeyType.EC_P256, capped(CertificateIssuer.INTERMEDIATE_VALIDITY, root));
  }

  /** A client leaf under {@code intermediate}, one year or what is left of the intermediate. */
  public CertifiedKey clientLeaf(CertifiedKey intermediate, String cn) {
    return issuer.issueLeaf(intermediate, LeafSpec.client(cn).withValidity(capped(LeafSpec.DEFAULT_VALIDITY, intermediate)), KeyType.EC_P256);
  }

  /** A leaf signed by the root itself (etcd client identities: etcd trusts the mesh root). */
  public CertifiedKey rootLeaf(LeafSpec spec) {
    return issuer.issueLeaf(root, spec.withValidity(capped(spec.validity(), root)), KeyType.EC_P256);
  }

  private Duration capped(Duration wanted, CertifiedKey signer) {
    Duration left = Duration.between(issuer.clock().instant(), signer.certificate().getNotAfter().toInstant());
    return wanted.compareTo(left) <= 0 ? wanted : left;
  }
}
