package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MemberConnection: clients from a kubeconfig context or from stored credentials, clear errors")
class MemberConnectionTest {

  private static final String KUBECONFIG = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: east
        cluster:
          server: https://east.example:6443
          certificate-authority-data: Y2EtZWFzdA==
      - name: west
        cluster:
          server: http://127.0.0.1:4002
      contexts:
      - name: east-admin
        context: {cluster: east, user: east-admin}
      - name: west-admin
        context: {cluster: west, user: west-admin}
      current-context: east-admin
      users:
      - name: east-admin
        user: {token: east-token}
      - name: west-admin
        user: {token: west-token}
      """;

  @TempDir
  Path dir;

  @Test
  void usesTheNamedContext() throws IOException {
    Path file = write("kubeconfig", KUBECONFIG);
    Config west = MemberConnection.configFromKubeconfig(file, "west-admin");
    assertThat(west.getMasterUrl()).startsWith("http://127.0.0.1:4002");
    Config current = MemberConnection.configFromKubeconfig(file, null);
    assertThat(current.getMasterUrl()).startsWith("https://east.example:6443");
    assertThat(current.getCaCertData()).isEqualTo("Y2EtZWFzdA==");
  }

  @Test
  void aMissingContextIsAnErrorNotTheCurrentContext() throws IOException {
    // fabric8 alone falls back to current-context: that would be the wrong cluster.
    Path file = write("kubeconfig", KUBECONFIG);
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(file, "north-admin"))
        .isInstanceOf(MemberConnectionException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("no context 'north-admin'")
        .hasMessageContaining("east-admin, west-admin");
  }

  @Test
  void noCurrentContextAndNoneGiven() throws IOException {
    Path file = write("kubeconfig", KUBECONFIG.replace("current-context: east-admin\n", ""));
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(file, null))
        .isInstanceOf(MemberConnectionException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("no current-context")
        .hasMessageContaining("--context");
  }

  @Test
  void unreadableFiles() throws IOException {
    Path missing = dir.resolve("absent.yaml");
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(missing, null))
        .isInstanceOf(MemberConnectionException.class).hasMessage("kubeconfig " + missing + ": no such file");

    Path garbage = write("garbage.yaml", "clusters: [unterminated");
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(garbage, null))
        .isInstanceOf(MemberConnectionException.class).hasMessageContaining(garbage.toString())
        .hasMessageContaining("not valid YAML");

    Path scalar = write("scalar.yaml", "just text");
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(scalar, null))
        .isInstanceOf(MemberConnectionException.class).hasMessageContaining("not a kubeconfig");

    Path folder = Files.createDirectory(dir.resolve("folder"));
    assertThatThrownBy(() -> MemberConnection.fromKubeconfig(folder, null))
        .isInstanceOf(MemberConnectionException.class).hasMessageContaining(folder.toString());
  }

  @Test
  void credentialsGiveAClientForThatServerWithThatTokenOnly() {
    MemberCredentials credentials = new MemberCredentials("https://10.0.0.1:6443", "Y2E=", "sa-token",
        Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-01T01:00:00Z"));
    try (KubernetesClient client = MemberConnection.fromCredentials(credentials)) {
      Config config = client.getConfiguration();
      assertThat(config.getMasterUrl()).startsWith("https://10.0.0.1:6443");
      assertThat(config.getOauthToken()).isEqualTo("sa-token");
      assertThat(config.getCaCertData()).isEqualTo("Y2E=");
      assertThat(config.isTrustCerts()).isFalse();
      assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(ConnectionSettings.DEFAULT.retries());
      assertThat(config.getUsername()).as("nothing auto-configured from this host").isNull();
      assertThat(config.getClientCertData()).isNull();
    }
  }

  private Path write(String name, String contents) throws IOException {
    return Files.writeString(dir.resolve(name), contents);
  }
}
