package io.meshfed.controller.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerConfigTest {
  @TempDir Path dir;
  Path file;

  @BeforeEach
  void files() throws Exception {
    for (String f : List.of("ca.pem", "etcd.crt", "etcd.key", "server.crt", "server.key", "bundle.pem")) {
      Files.writeString(dir.resolve(f), "x");
    }
    file = dir.resolve("controller.yaml");
    write("https://127.0.0.1:2379");
  }

  private void write(String endpoint) throws Exception {
    Files.writeString(file, """
        mesh: prod
        listen: {host: 127.0.0.1, port: 8443}
        etcd:
          endpoints: [%s]
          trustedCaFile: ca.pem
          certFile: etcd.crt
          keyFile: etcd.key
        tls: {certFile: server.crt, keyFile: server.key, trustedCaFile: bundle.pem}
        """.formatted(endpoint));
  }

  @Test
  @DisplayName("file, then environment, then flags; relative paths resolve against the file")
  void layering() {
    ControllerConfig c = ControllerConfig.load(file, Map.of("MESHFED_LISTEN_PORT", "9443", "MESHFED_ETCD_ENDPOINTS", "https://e1:2379,https://e2:2379"), null, null);
    assertThat(c.listen().port()).isEqualTo(9443);
    assertThat(c.etcd().endpoints()).containsExactly("https://e1:2379", "https://e2:2379");
    assertThat(c.etcd().certFile()).isEqualTo(dir.resolve("etcd.crt").toString());
    ControllerConfig f = ControllerConfig.load(file, Map.of("MESHFED_LISTEN_PORT", "9443"), "0.0.0.0:0", List.of("https://e3:2379"));
    assertThat(f.listen().host()).isEqualTo("0.0.0.0");
    assertThat(f.listen().port()).isZero();
    assertThat(f.etcd().endpoints()).containsExactly("https://e3:2379");
  }

  @Test
  @DisplayName("every refusal names its field: plain-text etcd, missing file, bad port, unknown key, not YAML")
  void refusals() throws Exception {
    write("http://127.0.0.1:2379");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), null, null))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("etcd.endpoints: ").hasMessageContaining("https");
    write("https://127.0.0.1:2379");
    Files.delete(dir.resolve("etcd.key"));
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), null, null)).hasMessageStartingWith("etcd.keyFile: ");
    Files.writeString(dir.resolve("etcd.key"), "x");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), "nohostport", null)).hasMessageStartingWith("--listen: ");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of("MESHFED_LISTEN_PORT", "99999"), null, null)).hasMessageStartingWith("MESHFED_LISTEN_PORT: ");
    Files.writeString(file, Files.readString(file) + "bogus: 1\n");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), null, null)).hasMessageContaining("bogus").hasMessageContaining("unknown key");
    Files.writeString(file, "mesh: [unclosed");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), null, null)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ControllerConfig.load(dir.resolve("missing.yaml"), Map.of(), null, null)).hasMessageContaining("does not exist");
  }

  @Test
  @DisplayName("leaderLeaseSeconds: 15 by default, from the file or MESHFED_LEADER_LEASE_SECONDS, refused outside 2-300 naming the field")
  void leaderLease() throws Exception {
    assertThat(ControllerConfig.load(file, Map.of(), null, null).leaderLeaseSeconds()).isEqualTo(ControllerConfig.DEFAULT_LEADER_LEASE_SECONDS).isEqualTo(15);
    assertThat(ControllerConfig.load(file, Map.of("MESHFED_LEADER_LEASE_SECONDS", "4"), null, null).leaderLeaseSeconds()).isEqualTo(4);
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of("MESHFED_LEADER_LEASE_SECONDS", "1"), null, null))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("leaderLeaseSeconds: ").hasMessageContaining("2-300");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of("MESHFED_LEADER_LEASE_SECONDS", "soon"), null, null))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("MESHFED_LEADER_LEASE_SECONDS: ");
    Files.writeString(file, Files.readString(file) + "leaderLeaseSeconds: 301\n");
    assertThatThrownBy(() -> ControllerConfig.load(file, Map.of(), null, null)).hasMessageStartingWith("leaderLeaseSeconds: ");
  }
}
