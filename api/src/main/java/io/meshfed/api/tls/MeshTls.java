package io.meshfed.api.tls;

import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.TrustBundle;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for every meshfed connection, on BCJSSE in FIPS mode.
 *
 * <p>Key and trust material are loaded into in-memory BCFKS key stores and handed to Vert.x as
 * ready {@code KeyManagerFactory}/{@code TrustManagerFactory} instances of BCJSSE's PKIX
 * implementation. That bypasses Vert.x's own PEM-to-KeyStore conversion, which picks the JVM's
 * default store type and has broken FIPS JVMs before; BCJSSE also works only with its own PKIX
 * managers. Only TLS 1.3 and 1.2 are enabled.
 */
public final class MeshTls {
  /** The protocols every listener and client allows. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  private MeshTls() {}

  /** Server options with mTLS required: the peer must present a certificate chaining to the bundle. */
  public static HttpServerOptions mutualTlsServer(HttpServerOptions options, CertifiedKey identity, TrustBundle trust) {
    return options
        .setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(keyCertOptions(identity))
        .setTrustOptions(trustOptions(trust))
        .setClientAuth(ClientAuth.REQUIRED)
        .setEnabledSecureTransportProtocols(PROTOCOLS);
  }

  /** Client options presenting {@code identity} and trusting only {@code trust}; host names verified. */
  public static HttpClientOptions mutualTlsClient(HttpClientOptions options, CertifiedKey identity, TrustBundle trust) {
    return options
        .setSsl(true)
        .setUseAlpn(true)
        .setVerifyHost(true)
        .setKeyCertOptions(keyCertOptions(identity))
        .setTrustOptions(trustOptions(trust))
        .setEnabledSecureTransportProtocols(PROTOCOLS);
  }

  public static KeyCertOptions keyCertOptions(CertifiedKey identity) {
    return KeyCertOptions.wrap(keyManagerFactory(identity));
  }

  public static TrustOptions trustOptions(TrustBundle trust) {
    return TrustOptions.wrap(trustManagerFactory(trust));
  }

  public static KeyManagerFactory keyManagerFactory(CertifiedKey identity) {
    Fips.install();
    try {
      char[] password = storePassword();
      KeyStore store = KeyStore.getInstance("BCFKS", Fips.PROVIDER);
      store.load(null, null);
      List<X509Certificate> chain = identity.certificateAndChain();
      store.setKeyEntry("identity", identity.privateKey(), password, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", Fips.JSSE_PROVIDER);
      kmf.init(store, password);
      return kmf;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the TLS key manager for " + identity.subject() + ": " + e.getMessage(), e);
    }
  }

  public static TrustManagerFactory trustManagerFactory(TrustBundle trust) {
    Fips.install();
    try {
      KeyStore store = KeyStore.getInstance("BCFKS", Fips.PROVIDER);
      store.load(null, null);
      int i = 0;
      for (X509Certificate root : trust.roots()) {
        store.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX", Fips.JSSE_PROVIDER);
      tmf.init(store);
      return tmf;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the TLS trust manager: " + e.getMessage(), e);
    }
  }

  /** The common name of a peer certificate: the identity meshfed and etcd act on. */
  public static String commonName(X509Certificate cert) {
    String dn = cert.getSubjectX500Principal().getName();
    for (String rdn : dn.split(",")) {
      String t = rdn.trim();
      if (t.startsWith("CN=")) {
        return t.substring(3);
      }
    }
    return "";
  }

  private static char[] storePassword() {
    // The store lives only in memory; the password only satisfies BCFKS's PBKDF2 in approved mode.
    byte[] b = new byte[24];
    FipsRandom.get().nextBytes(b);
    return HexFormat.of().formatHex(b).toCharArray();
  }
}
