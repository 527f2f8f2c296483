package io.meshfed.testkit.simcluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the built simulated-cluster launcher is: {@code meshfed-simcluster-*.jar} and its
 * {@code lib/} folder, as {@code mvn -pl simcluster package} leaves them in simcluster/target.
 * The testkit never has the launcher on its classpath (it carries Vert.x 4, Netty 4.1 and non-FIPS
 * Bouncy Castle); it only runs it as a separate java process.
 */
record SimclusterInstallation(Path jar, Path lib) {

  /** System property naming the simcluster module folder or its target folder. */
  static final String HOME_PROPERTY = "meshfed.simcluster.home";
  static final String BUILD_HINT = "build simcluster first: mvn -pl simcluster package";

  /**
   * Finds the launcher: in {@code explicitHome} when given, else in the folder the
   * {@value #HOME_PROPERTY} system property names, else in {@code simcluster/target} of the
   * working directory or of one of its parents.
   */
  static SimclusterInstallation locate(Path explicitHome) {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty(HOME_PROPERTY);
    if (explicitHome != null) {
      candidates.add(explicitHome);
      candidates.add(explicitHome.resolve("target"));
    } else if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property));
      candidates.add(Path.of(property).resolve("target"));
    } else {
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        candidates.add(dir.resolve("simcluster").resolve("target"));
      }
    }
    for (Path candidate : candidates) {
      Optional<SimclusterInstallation> found = in(candidate);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new IllegalStateException("simulated-cluster launcher not found: no meshfed-simcluster-*.jar next to a"
        + " lib/ folder in " + candidates + "; " + BUILD_HINT
        + " (or point -D" + HOME_PROPERTY + " at the simcluster module)");
  }

  private static Optional<SimclusterInstallation> in(Path dir) {
    Path lib = dir.resolve("lib");
    if (!Files.isDirectory(lib)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(file -> {
            String name = file.getFileName().toString();
            return name.startsWith("meshfed-simcluster-") && name.endsWith(".jar")
                && !name.endsWith("-sources.jar") && !name.endsWith("-tests.jar");
          })
          .findFirst()
          .map(jar -> new SimclusterInstallation(jar.toAbsolutePath(), lib.toAbsolutePath()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The classpath for {@code java -cp}; the launcher expands {@code lib/*} itself, no shell needed. */
  String classpath() {
    return jar + File.pathSeparator + lib.resolve("*");
  }
}
