package io.meshfed.agent.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Work an agent start needs anyway, done on a second thread while the main thread runs the FIPS
 * module's power-on self-tests (about a second of one core on a cold JVM; issue #6 asks for a
 * report within 2 s of start).
 *
 * <ol>
 *   <li><b>Load the classes of a start</b> ({@value #LIST}, in the order one start loaded them;
 *       {@code agent/classlist} regenerates it): Jackson, fabric8, Vert.x, Netty, gRPC, logging,
 *       the JDK HTTP client, Bouncy Castle's TLS and PKIX jars (not the FIPS module itself, which
 *       loads and checks its own classes: preloading them only competed with its self-tests).
 *       <b>Load only, never initialize</b>
 *       ({@code Class.forName(name, false, loader)}): no static initializer runs before the FIPS
 *       providers are installed, so nothing can touch cryptography early (Netty's SSL classes,
 *       for one, probe a default {@code SSLContext} in theirs). A name that no longer exists is
 *       skipped: the list only makes a start faster, it never decides what runs.</li>
 *   <li><b>Once {@link #fipsInstalled()} is called</b> (BCFIPS and BCJSSE registered, approved-only
 *       checked), set up one TLS context with no keys and a trust manager that trusts nothing, and
 *       throw it away: BCJSSE's first context works out its cipher suites and groups by trying
 *       the FIPS algorithms (about 250 ms here); every later context, such as the one for the
 *       controller, reuses that in a few milliseconds. Then run each algorithm of the handshake
 *       once on throw-away keys. No connection is made.</li>
 * </ol>
 */
public final class StartupWarmup {
  /** Classpath resource with one binary class name per line; {@code #} starts a comment. */
  public static final String LIST = "META-INF/meshfed/agent-classes.txt";

  private final ClassLoader loader;
  private final CountDownLatch fips = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean fipsOk;
  private volatile int loaded;
  private volatile int missing;
  private volatile boolean tlsWarmed;

  private StartupWarmup(ClassLoader loader) {
    this.loader = loader;
    this.thread = new Thread(this::run, "meshfed-agent-warmup");
    this.thread.setDaemon(true);
  }

  /** Starts the warm-up thread; returns at once. */
  public static StartupWarmup start(ClassLoader loader) {
    StartupWarmup warmup = new StartupWarmup(loader);
    warmup.thread.start();
    return warmup;
  }

  /** The FIPS providers are installed and checked: the TLS warm-up may run. */
  public void fipsInstalled() {
    fipsOk = true;
    fips.countDown();
  }

  /** The FIPS check failed: the thread ends without touching TLS. */
  public void fipsFailed() {
    fips.countDown();
  }

  /** Waits for the thread to end; false when {@code millis} passed first. */
  public boolean await(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  public int loaded() {
    return loaded;
  }

  public int missing() {
    return missing;
  }

  public boolean tlsWarmed() {
    return tlsWarmed;
  }

  /** The listed names; an empty list when the resource is absent or unreadable (a start is only slower then). */
  static List<String> read(ClassLoader loader) {
    List<String> names = new ArrayList<>();
    try (InputStream in = loader.getResourceAsStream(LIST)) {
      if (in == null) {
        return names;
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      names.clear();
    }
    return names;
  }

  private void run() {
    for (String name : read(loader)) {
      try {
        Class.forName(name, false, loader);
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        missing++;
      }
    }
    try {
      fips.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (fipsOk) {
      warmTls();
    }
  }

  private void warmTls() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[] {new TrustNothing()}, null);
      context.createSSLEngine().getSupportedCipherSuites();
      warmHandshakeAlgorithms();
      tlsWarmed = true;
    } catch (GeneralSecurityException | RuntimeException e) {
      // Only a warm-up: the real context reports any problem itself.
      tlsWarmed = false;
    }
  }

  /**
   * Runs once each FIPS algorithm a TLS 1.3 handshake with the controller uses (P-256 key
   * generation, ECDH, ECDSA signing and verifying, AES-GCM, HMAC-SHA256), on throw-away keys, so
   * their classes are loaded and their code warm when the real handshake comes.
   */
  private static void warmHandshakeAlgorithms() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ours = generator.generateKeyPair();
    KeyPair theirs = generator.generateKeyPair();
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(ours.getPrivate());
    agreement.doPhase(theirs.getPublic(), true);
    byte[] secret = agreement.generateSecret();
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(ours.getPrivate());
    signer.update(secret);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(ours.getPublic());
    verifier.update(secret);
    verifier.verify(signature);
    Mac hmac = Mac.getInstance("HmacSHA256");
    hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
    byte[] key = Arrays.copyOf(hmac.doFinal(signature), 16);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, Arrays.copyOf(secret, 12)));
    gcm.doFinal(signature);
  }

  /** Refuses every peer; the warm-up context never connects. */
  private static final class TrustNothing implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("warm-up context: trusts nothing");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("warm-up context: trusts nothing");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
