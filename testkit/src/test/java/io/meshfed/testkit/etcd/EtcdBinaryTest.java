package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the etcd executable is found, and how its absence is reported. */
class EtcdBinaryTest {

    @TempDir
    Path dir;

    @Test
    void etcdBinWinsOverPath() throws IOException {
        Path explicit = executable(dir.resolve("custom/etcd-3.4"));
        Path onPath = executable(dir.resolve("bin/etcd"));

        EtcdBinary binary = EtcdBinary.locate(
                Map.of("ETCD_BIN", explicit.toString(), "PATH", onPath.getParent().toString()));

        assertThat(binary.path()).isEqualTo(explicit);
    }

    @Test
    void findsEtcdOnPath() throws IOException {
        Path onPath = executable(dir.resolve("bin/etcd"));

        EtcdBinary binary = EtcdBinary.locate(Map.of("PATH", dir.resolve("empty") + ":" + onPath.getParent()));

        assertThat(binary.path()).isEqualTo(onPath);
    }

    @Test
    void etcdBinThatIsNotExecutableFailsWithInstallHintInsteadOfFallingBack() throws IOException {
        Path onPath = executable(dir.resolve("bin/etcd"));

        Map<String, String> env = Map.of("ETCD_BIN", "/nonexistent/etcd", "PATH", onPath.getParent().toString());

        assertThatThrownBy(() -> EtcdBinary.locate(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ETCD_BIN=/nonexistent/etcd")
                .hasMessageContaining("apt-get install -y etcd-server");
    }

    @Test
    void noEtcdAnywhereFailsWithInstallHint() {
        assertThatThrownBy(() -> EtcdBinary.locate(Map.of("PATH", dir.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No etcd executable found")
                .hasMessageContaining("apt-get install -y etcd-server");
    }

    @Test
    void thisMachineHasEtcdInstalled() {
        assertThat(EtcdBinary.locate().path()).isExecutable();
    }

    private static Path executable(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
