package io.meshfed.certs;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the mesh's inventory: what was asked for, what was issued, and the earlier
 * certificates it replaced that peers may still present (they keep an old root in the bundle until
 * the rollout is finished or they expire).
 *
 * @param name inventory key: the cluster name for intermediates, the output prefix's name for leaves
 * @param issuer {@code root} or the name of a cluster intermediate
 * @param spec the leaf request; null for intermediates
 * @param out where the CLI writes {@code <out>.crt}/{@code <out>.key}; null when kept only in the store
 */
public record IssuedCertificate(
    String name,
    Kind kind,
    String issuer,
    LeafSpec spec,
    CertifiedKey current,
    List<X509Certificate> superseded,
    String out) {

  /** The issuer name used for certificates signed directly by the mesh root. */
  public static final String ROOT_ISSUER = "root";

  /** What an entry is. */
  public enum Kind {
    INTERMEDIATE,
    SERVER,
    CLIENT
  }

  public IssuedCertificate {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(current, "current");
    superseded = List.copyOf(superseded);
  }

  /** The same entry with a new certificate; the old one is kept as superseded. */
  public IssuedCertificate reissued(CertifiedKey next) {
    List<X509Certificate> old = new java.util.ArrayList<>(superseded);
    old.add(current.certificate());
    return new IssuedCertificate(name, kind, issuer, spec, next, old, out);
  }

  public IssuedCertificate withoutSuperseded() {
    return new IssuedCertificate(name, kind, issuer, spec, current, List.of(), out);
  }
}
