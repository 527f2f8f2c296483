package io.meshfed.agent.testing;

import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.CiliumSecrets;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A real mesh PKI minted for a test (BC-FIPS, approved-only): a root, an intermediate per cluster,
 * the controller's server leaf for localhost/127.0.0.1, agent client leaves, and etcd leaves.
 * Writes cert dirs exactly as join writes Secret meshfed-system/meshfed-agent-tls.
 */
public final class TestPki {
  private final CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), FipsRandom.get());
  private MeshPki pki;

  public TestPki(String... clusters) {
    Fips.installAndCheck();
    pki = MeshPki.create(issuer, "test", KeyType.EC_P256);
    for (String cluster : clusters) {
      pki = pki.withIntermediate(issuer, cluster, CertificateIssuer.INTERMEDIATE_VALIDITY);
    }
  }

  public TrustBundle bundle() {
    return pki.bundle();
  }

  /** A server leaf for localhost and 127.0.0.1 (the controller's, or etcd's with both EKUs). */
  public CertifiedKey server(String name, LeafSpec.Kind kind) {
    return issuer.issueLeaf(pki.root(), new LeafSpec(kind, name, List.of("localhost"),
        List.of(IpAddresses.parse("ip", "127.0.0.1")), LeafSpec.DEFAULT_VALIDITY), KeyType.EC_P256);
  }

  /** A client leaf with {@code cn}, signed by {@code cluster}'s intermediate, valid for {@code validity}. */
  public CertifiedKey client(String cluster, String cn, Duration validity) {
    return issuer.issueLeaf(pki.signer(cluster), LeafSpec.client(cn).withValidity(validity), KeyType.EC_P256);
  }

  /** A client leaf whose validity ended {@code ago} ago (issued through an earlier clock). */
  public CertifiedKey expiredClient(String cluster, String cn, Duration ago) {
    CertificateIssuer past = new CertificateIssuer(Clock.fixed(Instant.now().minus(ago).minus(Duration.ofDays(1)), ZoneOffset.UTC),
        FipsRandom.get());
    return past.issueLeaf(pki.signer(cluster), LeafSpec.client(cn).withValidity(Duration.ofDays(1)), KeyType.EC_P256);
  }

  /** Writes ca.crt, tls.crt, tls.key for {@code leaf} into {@code dir} (created), as join does. */
  public Path writeCertDir(Path dir, CertifiedKey leaf) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> e : CiliumSecrets.tls(leaf, pki.bundle()).entrySet()) {
        Files.write(dir.resolve(e.getKey()), e.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An agent cert dir for {@code cluster} (CN agent.&lt;cluster&gt;). */
  public Path agentCertDir(Path dir, String cluster) {
    return writeCertDir(dir, client(cluster, "agent." + cluster, LeafSpec.DEFAULT_VALIDITY));
  }

  public AgentCredentials credentials(Path certDir) {
    return AgentCredentials.load(certDir);
  }

  /** Writes PEM files for a leaf (cert + chain, key) and the bundle; returns {cert, key, ca}. */
  public List<Path> writePem(Path dir, String name, CertifiedKey leaf) {
    try {
      Files.createDirectories(dir);
      Path cert = Files.writeString(dir.resolve(name + ".crt"), Pem.encodeCertificates(leaf.certificateAndChain()));
      Path key = Files.writeString(dir.resolve(name + ".key"), Pem.encodePrivateKeyInMemory(leaf.privateKey()));
      Path ca = Files.writeString(dir.resolve(name + "-ca.crt"), pki.bundle().toPem());
      return List.of(cert, key, ca);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
