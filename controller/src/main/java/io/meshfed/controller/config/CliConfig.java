package io.meshfed.controller.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The admin CLI's connection file (like a kubeconfig), written by bootstrap: where the controller
 * is, which roots to trust, and the admin client certificate and (encrypted) key. Found via
 * {@code --config}, then {@code MESHFED_CONFIG}, then {@code ~/.meshfed/config.yaml}.
 */
public record CliConfig(String controller, String trustedCaFile, String certFile, String keyFile) {

  public static final String ENV = "MESHFED_CONFIG";

  public static Path locate(Path flag, Map<String, String> env) {
    if (flag != null) {
      return flag;
    }
    if (env.get(ENV) != null) {
      return Path.of(env.get(ENV));
    }
    return Path.of(System.getProperty("user.home"), ".meshfed", "config.yaml");
  }

  public static CliConfig load(Path file) {
    CliConfig raw = YamlFiles.read(file, CliConfig.class);
    Path base = file.toAbsolutePath().getParent();
    if (raw.controller() == null || !raw.controller().startsWith("https://")) {
      throw new ConfigException(file + " controller", "must be the controller's https:// URL");
    }
    for (String[] f : new String[][] {{"trustedCaFile", raw.trustedCaFile()}, {"certFile", raw.certFile()}, {"keyFile", raw.keyFile()}}) {
      if (f[1] == null) {
        throw new ConfigException(file + " " + f[0], "is required");
      }
    }
    return new CliConfig(raw.controller().replaceAll("/+$", ""), base.resolve(raw.trustedCaFile()).normalize().toString(),
        base.resolve(raw.certFile()).normalize().toString(), base.resolve(raw.keyFile()).normalize().toString());
  }
}
