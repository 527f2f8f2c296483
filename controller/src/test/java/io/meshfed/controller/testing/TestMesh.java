package io.meshfed.controller.testing;

import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.testkit.etcd.EtcdTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A mesh root and the etcd material that trusts it, for tests: etcd's server certificate and an
 * etcd {@code root} client certificate, issued by the mesh root (meshfed's model: etcd trusts the
 * mesh CA, so the controller can mint etcd users). etcd needs its key in clear on disk; that
 * happens only here, in a test's temp dir.
 */
public final class TestMesh {
  static {
    Fips.installAndCheck();
  }

  public final MeshPki pki;
  public final CertifiedKey etcdServer;
  public final CertifiedKey etcdRoot;
  public final Path dir;

  private TestMesh(Path dir, String mesh) {
    this.dir = dir;
    CertificateIssuer issuer = CertificateIssuer.systemDefault();
    this.pki = MeshPki.create(issuer, mesh, KeyType.EC_P256);
    this.etcdServer = issuer.issueLeaf(pki.root(), new LeafSpec(LeafSpec.Kind.SERVER_AND_CLIENT, "etcd", List.of("localhost"),
        List.of(IpAddresses.parse("ip", "127.0.0.1")), LeafSpec.DEFAULT_VALIDITY), KeyType.EC_P256);
    this.etcdRoot = issuer.issueLeaf(pki.root(), LeafSpec.client("root"), KeyType.EC_P256);
  }

  public static TestMesh create(Path dir, String mesh) {
    return new TestMesh(dir, mesh);
  }

  public TrustBundle bundle() {
    return pki.bundle();
  }

  /** Writes etcd's server material and returns it for {@code EtcdExtension.withTls}. */
  public EtcdTls etcdTls() {
    try {
      Files.createDirectories(dir);
      Path cert = dir.resolve("etcd-server.crt");
      Path key = dir.resolve("etcd-server.key");
      Path ca = dir.resolve("etcd-ca.crt");
      Files.writeString(cert, Pem.encodeCertificates(etcdServer.certificateAndChain()));
      Files.writeString(key, Pem.encodePrivateKeyInMemory(etcdServer.privateKey()));
      Files.writeString(ca, pki.bundle().toPem());
      return new EtcdTls(cert, key, ca);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
