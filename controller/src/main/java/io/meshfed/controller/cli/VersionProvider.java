package io.meshfed.controller.cli;

import io.meshfed.certs.Fips;
import picocli.CommandLine;

/** `meshfed --version`: the build and the FIPS state of this JVM. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = MeshfedCommand.class.getPackage().getImplementationVersion();
    return new String[] {"meshfed " + (v == null ? "dev" : v), "fips: " + Fips.describe(), "java: " + System.getProperty("java.version")};
  }
}
