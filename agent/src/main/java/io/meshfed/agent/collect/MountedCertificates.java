package io.meshfed.agent.collect;

import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.config.ConfigException;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The agent's own certificate chain ({@code tls.crt}) and trust bundle ({@code ca.crt}) as mounted.
 * The files are hashed at every tick; when the controller renewed the Secret they come from, the
 * new credentials are loaded and handed to {@code onRenewed} (the report stream reconnects with
 * them). A half-written or broken renewal is reported and the old credentials stay in use.
 */
final class MountedCertificates implements Collector {
  private final Path certDir;
  private final Consumer<AgentCredentials> onRenewed;
  private AgentCredentials current;
  private byte[] refusedDigest;
  private String refusal = "";

  MountedCertificates(Path certDir, AgentCredentials initial, Consumer<AgentCredentials> onRenewed) {
    this.certDir = certDir;
    this.current = initial;
    this.onRenewed = onRenewed;
  }

  @Override
  public String name() {
    return "mounted-certificates";
  }

  @Override
  public boolean needsKubernetes() {
    return false;
  }

  @Override
  public void collect(Results results) {
    try {
      byte[] digest = AgentCredentials.digest(certDir);
      if (!Arrays.equals(digest, current.digest()) && !Arrays.equals(digest, refusedDigest)) {
        try {
          current = AgentCredentials.load(certDir);
          refusal = "";
          refusedDigest = null;
          onRenewed.accept(current);
        } catch (ConfigException e) {
          refusedDigest = digest;
          refusal = "the renewed files in " + certDir + " are not usable, still using the previous ones: " + Errors.text(e);
        }
      }
      results.mountedCertificatesError = refusal;
    } catch (ConfigException e) {
      results.mountedCertificatesError = Errors.text(e);
    }
    List<CertificateStatus> certificates = new ArrayList<>(
        CertificateStatuses.of(AgentCredentials.CERT_FILE, current.certificateChain(), CertificateSource.CERTIFICATE_SOURCE_MOUNTED));
    certificates.addAll(CertificateStatuses.of(AgentCredentials.CA_FILE, current.trust().roots(), CertificateSource.CERTIFICATE_SOURCE_MOUNTED));
    results.mountedCertificates = List.copyOf(certificates);
  }

  @Override
  public void fail(Results results, String error) {
    results.mountedCertificatesError = error;
  }

  @Override
  public String error(Results results) {
    return results.mountedCertificatesError;
  }
}
