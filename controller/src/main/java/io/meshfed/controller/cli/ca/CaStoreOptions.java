package io.meshfed.controller.cli.ca;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.Passphrase;
import io.meshfed.controller.cli.MeshfedCommand;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command on a CA directory shares. The passphrase never comes from a flag value:
 * only from {@code --passphrase-file} or {@code MESHFED_CA_PASSPHRASE}.
 */
public final class CaStoreOptions {
  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The CA directory.")
  Path dir;

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "File whose first line is the passphrase that encrypts private keys (else $MESHFED_CA_PASSPHRASE).")
  Path passphraseFile;

  CaDirectory open(MeshfedCommand root) {
    return new CaDirectory(dir, Passphrase.resolve(passphraseFile, root.env()));
  }
}
