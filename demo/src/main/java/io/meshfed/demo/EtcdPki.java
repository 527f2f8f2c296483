package io.meshfed.demo;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.Passphrase;
import io.meshfed.certs.Pem;
import io.meshfed.testkit.etcd.EtcdTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * etcd's server certificate, signed by the mesh root in the CA directory {@code meshfed ca init}
 * made: meshfed's model is that etcd trusts the mesh CA, so the controller can mint etcd users.
 * Server and client usage both (etcd's built-in gateway dials its own port with it), names
 * {@code localhost} and {@code 127.0.0.1}. etcd reads its key only in clear: it is written 0600 in
 * the demo directory and removed with it.
 */
final class EtcdPki {
  private EtcdPki() {}

  static EtcdTls issueServer(Path caDir, Path out, String passphrase) throws IOException {
    MeshPki pki = new CaDirectory(caDir, Passphrase.of("MESHFED_CA_PASSPHRASE", passphrase.toCharArray())).load();
    CertifiedKey server = CertificateIssuer.systemDefault().issueLeaf(pki.root(), new LeafSpec(LeafSpec.Kind.SERVER_AND_CLIENT, "etcd",
        List.of("localhost"), List.of(IpAddresses.parse("ip", "127.0.0.1")), LeafSpec.DEFAULT_VALIDITY), KeyType.EC_P256);
    Path cert = out.resolve("etcd-server.crt");
    Path key = out.resolve("etcd-server.key");
    Files.writeString(cert, Pem.encodeCertificates(server.certificateAndChain()));
    Files.writeString(key, Pem.encodePrivateKeyInMemory(server.privateKey()));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    return new EtcdTls(cert, key, caDir.resolve("bundle.pem"));
  }
}
