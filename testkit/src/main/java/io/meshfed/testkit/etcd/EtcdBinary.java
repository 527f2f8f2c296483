package io.meshfed.testkit.etcd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the etcd executable lives: {@code $ETCD_BIN} if set, else the first {@code etcd} on
 * {@code PATH}.
 *
 * <p>A missing binary is an error, never a reason to skip: CI installs {@code etcd-server}, so a
 * test that silently skipped would hide a broken build machine.
 */
public final class EtcdBinary {

    /** The environment variable that names the etcd executable explicitly. */
    public static final String ENV_VAR = "ETCD_BIN";

    static final String INSTALL_HINT =
            "Install it with `apt-get install -y etcd-server` (Debian/Ubuntu) "
                    + "or point " + ENV_VAR + " at an etcd 3.4+ executable.";

    private final Path executable;

    private EtcdBinary(Path executable) {
        this.executable = executable;
    }

    /**
     * Finds etcd using this process's environment.
     *
     * @throws IllegalStateException with installation instructions when there is no usable etcd
     */
    public static EtcdBinary locate() {
        return locate(System.getenv());
    }

    /** Finds etcd using the given environment; a seam so tests need not change the real one. */
    static EtcdBinary locate(Map<String, String> env) {
        String explicit = env.get(ENV_VAR);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit.trim());
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                // An explicit setting that is wrong must not fall back to PATH: the caller asked for
                // this binary, probably a specific version.
                throw new IllegalStateException(ENV_VAR + "=" + explicit
                        + " is not an executable file. " + INSTALL_HINT);
            }
            return new EtcdBinary(path);
        }
        return searchPath(env.getOrDefault("PATH", ""))
                .map(EtcdBinary::new)
                .orElseThrow(() -> new IllegalStateException(
                        "No etcd executable found: " + ENV_VAR + " is not set and no `etcd` is on PATH ("
                                + env.getOrDefault("PATH", "") + "). " + INSTALL_HINT));
    }

    private static Optional<Path> searchPath(String pathVariable) {
        for (String dir : pathVariable.split(Pattern.quote(File.pathSeparator))) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "etcd");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The executable to run. */
    public Path path() {
        return executable;
    }

    @Override
    public String toString() {
        return executable.toString();
    }
}
