package io.meshfed.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the source checkout the e2e tests run from (surefire's working directory is e2e/). */
final class Checkout {
  private Checkout() {}

  /** The checkout's root: the nearest parent of the working directory with examples/policies. */
  static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples/policies")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("not inside a meshfed checkout (no examples/policies above " + Path.of("").toAbsolutePath() + ")");
  }

  /** A built launcher, e.g. agent/target/meshfed-agent/bin/meshfed-agent; fails with the build command when missing. */
  static Path launcher(String module, String layout, String name) {
    Path p = root().resolve(module).resolve("target").resolve(layout).resolve("bin").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is not built: mvn -DskipTests install -pl " + module + " -am");
    }
    return p;
  }

  /** Where the e2e tests leave the logs of the processes they start (kept after the run, for CI). */
  static Path logs() {
    Path p = root().resolve("e2e/target/e2e-logs");
    try {
      Files.createDirectories(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }
}
