package io.meshfed.certs;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies a leaf and its chain against a trust bundle with the PKIX CertPathValidator of BCFIPS,
 * at the time of the injected clock. Revocation is the controller's business (it refuses revoked
 * serials itself), so CRL checking is off here.
 */
public final class ChainVerifier {
  private final Clock clock;

  public ChainVerifier(Clock clock) {
    this.clock = clock;
  }

  /** The outcome: which root the path ends in, or why it failed. */
  public record Result(boolean valid, X509Certificate anchor, String reason) {
    static Result ok(X509Certificate anchor) {
      return new Result(true, anchor, "");
    }

    static Result failed(String reason) {
      return new Result(false, null, reason);
    }
  }

  /** @param chain intermediates between leaf and root, leaf's issuer first (may be empty) */
  public Result verify(TrustBundle bundle, X509Certificate leaf, List<X509Certificate> chain) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509", Fips.PROVIDER);
      List<X509Certificate> path = new ArrayList<>();
      path.add(leaf);
      for (X509Certificate c : chain) {
        if (!CertificateIssuer.isSelfSigned(c)) {
          path.add(c); // a root in the chain file is not part of the path; the bundle anchors it
        }
      }
      CertPath certPath = factory.generateCertPath(path);
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate root : bundle.roots()) {
        anchors.add(new TrustAnchor(root, null));
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator validator = CertPathValidator.getInstance("PKIX", Fips.PROVIDER);
      var result = (java.security.cert.PKIXCertPathValidatorResult) validator.validate(certPath, params);
      return Result.ok(result.getTrustAnchor().getTrustedCert());
    } catch (CertPathValidatorException e) {
      return Result.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (GeneralSecurityException e) {
      return Result.failed("cannot validate: " + e.getMessage());
    }
  }
}
