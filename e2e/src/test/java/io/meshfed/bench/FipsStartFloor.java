package io.meshfed.bench;

import io.meshfed.certs.Fips;
import java.lang.management.ManagementFactory;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The least any FIPS agent start must do before its first TLS handshake: install BCFIPS and
 * BCJSSE (the module's power-on self-tests and jar integrity check) and set up one TLS context.
 * {@code AgentStartBenchmark} runs it with the agent launcher's JVM options and reports the JVM
 * uptime it prints: the floor under "up and reporting", before any agent code, Kubernetes client
 * or connection.
 */
public final class FipsStartFloor {
  private FipsStartFloor() {}

  public static void main(String[] args) throws Exception {
    Fips.installAndCheck();
    long fips = ManagementFactory.getRuntimeMXBean().getUptime();
    // An empty trust store, not the JDK's cacerts: the agent trusts only the mesh CA.
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[0], trustManagers.getTrustManagers(), null);
    context.createSSLEngine();
    System.out.println("fipsReadyMs=" + fips + " tlsContextReadyMs=" + ManagementFactory.getRuntimeMXBean().getUptime());
  }
}
