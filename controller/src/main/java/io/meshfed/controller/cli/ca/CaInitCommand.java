package io.meshfed.controller.cli.ca;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.CertificateInfo;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.MeshPki;
import io.meshfed.controller.cli.MeshfedCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code meshfed ca init}: a new mesh root in a new CA directory. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create the mesh root CA in a new CA directory.")
public final class CaInitCommand implements Callable<Integer> {
  @ParentCommand CaCommand parent;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CaStoreOptions store;

  @Option(names = "--mesh", required = true, paramLabel = "NAME", description = "Mesh name (lower-case letters, digits, '-').")
  String mesh;

  @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "TYPE", description = "ec-p256 (default), ec-p384 or rsa-3072.")
  String keyType;

  @Option(names = "--force", description = "Replace a CA that is already there, moving it to DIR.backup-<time> first.")
  boolean force;

  @Override
  public Integer call() {
    MeshfedCommand root = CliContext.root(spec);
    KeyType type = KeyType.parse("--key-type", keyType);
    CaDirectory dir = store.open(root);
    CliContext.progress(spec, "creating the " + type.cliName() + " root for mesh \"" + mesh + "\"");
    CertificateIssuer issuer = CertificateIssuer.systemDefault();
    MeshPki pki = MeshPki.create(issuer, mesh, type);
    Path backup = dir.init(pki, force, issuer.clock());
    var out = spec.commandLine().getOut();
    if (backup != null) {
      out.println("previous CA moved to " + backup);
    }
    CertificateInfo info = CertificateInfo.of(pki.root().certificate(), issuer.clock().instant());
    out.println("created " + info.subject());
    out.println("  directory:  " + dir.path());
    out.println("  expires:    " + info.notAfter() + " (" + info.daysLeft() + " days)");
    out.println("  ca hash:    " + CertificateInfo.publicKeyPin(pki.root().certificate()));
    out.flush();
    return 0;
  }
}
