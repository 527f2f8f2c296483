package io.meshfed.agent.config;

import io.meshfed.api.health.HealthReports;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyMatch;
import io.meshfed.certs.Pem;
import io.meshfed.certs.PkiException;
import io.meshfed.certs.TrustBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

/**
 * The agent's mTLS material from its cert dir, as join writes Secret
 * {@code meshfed-system/meshfed-agent-tls} (see {@code CiliumSecrets.tls}): {@code ca.crt} = the
 * mesh trust bundle (roots), {@code tls.crt} = the agent leaf followed by its cluster
 * intermediate, {@code tls.key} = the leaf's key as clear PKCS#8 PEM. The leaf's CN is
 * {@code agent.<cluster>}.
 *
 * @param identity the leaf, its key and its chain
 * @param trust the roots the controller's server certificate must chain to
 * @param cluster the member cluster the certificate speaks for
 * @param digest SHA-256 over the three files, to notice a renewal
 */
public record AgentCredentials(CertifiedKey identity, TrustBundle trust, String cluster, byte[] digest) {

  public static final String CA_FILE = "ca.crt";
  public static final String CERT_FILE = "tls.crt";
  public static final String KEY_FILE = "tls.key";
  public static final List<String> FILES = List.of(CA_FILE, CERT_FILE, KEY_FILE);

  /**
   * Reads and checks the three files: every certificate parses, the key matches the leaf, the CN
   * is an agent's.
   *
   * @throws ConfigException naming {@code --cert-dir} and the file at fault
   */
  public static AgentCredentials load(Path dir) {
    try {
      byte[] digest = digest(dir);
      TrustBundle trust = TrustBundle.parse(dir.resolve(CA_FILE).toString(), Pem.readText(dir.resolve(CA_FILE)));
      List<X509Certificate> chain = Pem.readCertificates(dir.resolve(CERT_FILE));
      PrivateKey key = Pem.decodePrivateKey(dir.resolve(KEY_FILE).toString(), Pem.readText(dir.resolve(KEY_FILE)), null);
      KeyMatch.require(dir.resolve(KEY_FILE).toString(), chain.get(0), key);
      String cn = MeshTls.commonName(chain.get(0));
      String cluster = HealthReports.clusterOfAgent(cn).orElseThrow(() -> new ConfigException(AgentFlags.Flag.CERT_DIR.flagName(),
          dir.resolve(CERT_FILE) + ": CN \"" + cn + "\" is not an agent certificate's (expected " + HealthReports.AGENT_CN_PREFIX
              + "<cluster>)"));
      return new AgentCredentials(new CertifiedKey(chain.get(0), key, chain.subList(1, chain.size())), trust, cluster, digest);
    } catch (PkiException e) {
      throw new ConfigException(AgentFlags.Flag.CERT_DIR.flagName(), e.getMessage(), e);
    }
  }

  /** SHA-256 over the three files' bytes (in {@link #FILES} order). */
  public static byte[] digest(Path dir) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String file : FILES) {
        sha.update(Files.readAllBytes(dir.resolve(file)));
        sha.update((byte) 0);
      }
      return sha.digest();
    } catch (IOException e) {
      throw new ConfigException(AgentFlags.Flag.CERT_DIR.flagName(), "cannot read " + dir + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** True when the files on disk differ from what these credentials were loaded from. */
  public boolean changedOnDisk(Path dir) {
    return !Arrays.equals(digest, digest(dir));
  }

  /** The leaf followed by its chain, as presented to the controller. */
  public List<X509Certificate> certificateChain() {
    return identity.certificateAndChain();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentCredentials other && Arrays.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "AgentCredentials[cluster=" + cluster + ", subject=" + identity.subject() + "]";
  }
}
