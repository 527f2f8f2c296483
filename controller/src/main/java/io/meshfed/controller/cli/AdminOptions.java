package io.meshfed.controller.cli;

import io.meshfed.certs.Passphrase;
import io.meshfed.controller.config.CliConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How admin commands reach the controller: the CLI config from bootstrap and the key passphrase. */
public final class AdminOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "CLI config (default $MESHFED_CONFIG, then ~/.meshfed/config.yaml).")
  Path config;

  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the admin key (else $MESHFED_CA_PASSPHRASE).")
  Path passphraseFile;

  ApiClient connect(MeshfedCommand root) {
    CliConfig cfg = CliConfig.load(CliConfig.locate(config, root.env()));
    return ApiClient.admin(cfg, Passphrase.resolve(passphraseFile, root.env()));
  }
}
