package io.meshfed.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The mesh's trusted roots, newest first. During a root key replacement the bundle holds the old
 * and the new root, so peers with leaves from either generation keep talking; the old root leaves
 * the bundle once nothing chains to it any more, or once it has expired.
 */
public final class TrustBundle {
  private final List<X509Certificate> roots;

  private TrustBundle(List<X509Certificate> roots) {
    this.roots = List.copyOf(roots);
  }

  public static TrustBundle of(List<X509Certificate> roots) {
    if (roots.isEmpty()) {
      throw new PkiException("bundle", "a trust bundle needs at least one root");
    }
    for (X509Certificate r : roots) {
      if (!CertificateIssuer.isSelfSigned(r) || r.getBasicConstraints() < 0) {
        throw new PkiException("bundle", "\"" + r.getSubjectX500Principal().getName() + "\" is not a self-signed CA certificate");
      }
    }
    return new TrustBundle(dedupe(roots));
  }

  public static TrustBundle parse(String source, String pem) {
    return of(Pem.decodeCertificates(source, pem));
  }

  /** Newest first; the first root is the one that signs new material. */
  public List<X509Certificate> roots() {
    return Collections.unmodifiableList(roots);
  }

  public X509Certificate newest() {
    return roots.get(0);
  }

  /** A bundle with {@code root} first, replacing a root of the same key and DN (a renewal). */
  public TrustBundle withNewest(X509Certificate root) {
    List<X509Certificate> next = new ArrayList<>();
    next.add(root);
    for (X509Certificate r : roots) {
      if (!sameKeyAndName(r, root)) {
        next.add(r);
      }
    }
    return of(next);
  }

  /**
   * Drops every root but the newest that is expired at {@code now} or that {@code stillUsed} says
   * nothing chains to any more. Pure: the caller decides what "used" means (the CLI asks its
   * inventory; the controller asks agent reports as well).
   */
  public TrustBundle prune(Instant now, Predicate<X509Certificate> stillUsed) {
    List<X509Certificate> kept = new ArrayList<>();
    kept.add(roots.get(0));
    for (X509Certificate r : roots.subList(1, roots.size())) {
      boolean expired = r.getNotAfter().toInstant().isBefore(now);
      if (!expired && stillUsed.test(r)) {
        kept.add(r);
      }
    }
    return new TrustBundle(kept);
  }

  public String toPem() {
    return Pem.encodeCertificates(roots);
  }

  static boolean sameKeyAndName(X509Certificate a, X509Certificate b) {
    return a.getSubjectX500Principal().equals(b.getSubjectX500Principal()) && a.getPublicKey().equals(b.getPublicKey());
  }

  private static List<X509Certificate> dedupe(List<X509Certificate> roots) {
    List<X509Certificate> out = new ArrayList<>();
    for (X509Certificate r : roots) {
      if (out.stream().noneMatch(o -> o.equals(r))) {
        out.add(r);
      }
    }
    return out;
  }
}
