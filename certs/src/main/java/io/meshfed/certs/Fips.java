package io.meshfed.certs;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.fips.FipsStatus;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Puts the JVM on Bouncy Castle FIPS and refuses to go on when it is not.
 *
 * <p>Approved-only mode must be JVM-wide: {@code CryptoServicesRegistrar.setApprovedOnlyMode(true)}
 * affects only the calling thread, so event loops and gRPC threads would stay unapproved. The
 * launcher and every test JVM therefore start with {@code -Dorg.bouncycastle.fips.approved_only=true}
 * and {@link #installAndCheck()} fails closed when that property did not take effect.
 *
 * <p>BCFIPS is inserted first and BCJSSE second so that anything asking for "TLS", "PKIX" or a
 * {@code KeyManagerFactory} without naming a provider (Netty, Vert.x, the JDK HTTP client) gets the
 * FIPS implementations. The JDK's providers stay registered behind them: the JDK itself needs a few
 * of them for non-cryptographic services, and the benchmark compares against them.
 */
public final class Fips {
  /** JCA name of the FIPS crypto provider. */
  public static final String PROVIDER = "BCFIPS";
  /** JCA name of the FIPS JSSE provider. */
  public static final String JSSE_PROVIDER = "BCJSSE";
  /** The system property that switches bc-fips to approved-only mode for every thread. */
  public static final String APPROVED_ONLY_PROPERTY = "org.bouncycastle.fips.approved_only";

  /** Held so the level set below is not lost when the logger is garbage-collected. */
  private static final java.util.logging.Logger BC_JUL_LOGGER = java.util.logging.Logger.getLogger("org.bouncycastle");

  private Fips() {}

  /** Registers BCFIPS and BCJSSE (idempotent) and runs {@link #selfCheck()}. */
  public static synchronized void installAndCheck() {
    install();
    selfCheck();
  }

  /** Registers BCFIPS at position 1 and BCJSSE (FIPS mode, bound to BCFIPS) at position 2. */
  public static synchronized void install() {
    Provider fips = Security.getProvider(PROVIDER);
    if (fips == null) {
      fips = new BouncyCastleFipsProvider();
      Security.insertProviderAt(fips, 1);
    }
    if (Security.getProvider(JSSE_PROVIDER) == null) {
      Security.insertProviderAt(new BouncyCastleJsseProvider(true, fips), 2);
    }
    // BCJSSE works only with its own PKIX key and trust managers; code that asks for the default
    // algorithm (Vert.x's PEM path does) must get PKIX, not SunX509.
    Security.setProperty("ssl.KeyManagerFactory.algorithm", "PKIX");
    // BCJSSE logs every handshake at INFO through java.util.logging; keep warnings only, written
    // as our one-line key=value records rather than JUL's two-line console format.
    BC_JUL_LOGGER.setLevel(java.util.logging.Level.WARNING);
    if (BC_JUL_LOGGER.getUseParentHandlers()) {
      BC_JUL_LOGGER.setUseParentHandlers(false);
      BC_JUL_LOGGER.addHandler(new StructuredJulHandler(() -> System.err));
    }
    Security.setProperty("ssl.TrustManagerFactory.algorithm", "PKIX");
  }

  /**
   * Fails closed unless the FIPS module passed its power-on self tests and the JVM runs in
   * approved-only mode.
   *
   * @throws IllegalStateException naming what is wrong and how to fix it
   */
  public static void selfCheck() {
    if (!FipsStatus.isReady()) {
      throw new IllegalStateException(
          "FIPS self-check failed: the bc-fips module is not ready: " + FipsStatus.getStatusMessage());
    }
    if (!CryptoServicesRegistrar.isInApprovedOnlyMode()) {
      throw new IllegalStateException(
          "FIPS self-check failed: bc-fips is not in approved-only mode; start the JVM with -D"
              + APPROVED_ONLY_PROPERTY
              + "=true (the meshfed launcher does)");
    }
    if (Security.getProvider(PROVIDER) == null || Security.getProvider(JSSE_PROVIDER) == null) {
      throw new IllegalStateException(
          "FIPS self-check failed: BCFIPS and BCJSSE must be registered; call Fips.install() first");
    }
  }

  /** A one-line description for logs and `meshfed version`. */
  public static String describe() {
    return "provider="
        + PROVIDER
        + " ready="
        + FipsStatus.isReady()
        + " approvedOnly="
        + CryptoServicesRegistrar.isInApprovedOnlyMode();
  }
}
