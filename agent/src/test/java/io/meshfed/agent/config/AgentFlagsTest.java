package io.meshfed.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.agent.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentFlagsTest {
  @TempDir static Path tmp;
  static Path certDir;
  static Path kubeconfig;
  static final Map<String, String> NO_ENV = Map.of();

  @BeforeAll
  static void files() throws IOException {
    certDir = new TestPki("c1").agentCertDir(tmp.resolve("certs"), "c1");
    kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), "apiVersion: v1\n");
  }

  private static AgentConfig parse(Map<String, String> env, String... args) {
    return AgentFlags.parse(List.of(args), env, "test");
  }

  private static List<String> valid(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--controller", "meshfed.example.com:8443", "--cert-dir", certDir.toString(),
        "--kubeconfig", kubeconfig.toString()));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  @DisplayName("flags, --flag=value and defaults: controller host and port, interval 10 s, no etcd overrides")
  void validFlags() {
    AgentConfig config = AgentFlags.parse(valid(), NO_ENV, "test");
    assertThat(config.controllerHost()).isEqualTo("meshfed.example.com");
    assertThat(config.controllerPort()).isEqualTo(8443);
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.kubeconfig()).contains(kubeconfig);
    assertThat(config.etcdEndpoints()).isEmpty();
    assertThat(config.etcdFiles()).isEmpty();

    AgentConfig eq = parse(NO_ENV, "--controller=[::1]:9443", "--cert-dir=" + certDir, "--kubeconfig=" + kubeconfig, "--interval=3",
        "--etcd-endpoints=https://etcd-a:2379, https://etcd-b:2379");
    assertThat(eq.controllerHost()).isEqualTo("::1");
    assertThat(eq.controller()).isEqualTo("[::1]:9443");
    assertThat(eq.interval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(eq.etcdEndpoints()).containsExactly("https://etcd-a:2379", "https://etcd-b:2379");
  }

  @Test
  @DisplayName("environment variables stand in for absent flags; flags win; in a pod no kubeconfig is needed")
  void environment() {
    Map<String, String> env = Map.of("MESHFED_CONTROLLER", "env-host:1234", "MESHFED_AGENT_CERT_DIR", certDir.toString(),
        "MESHFED_AGENT_INTERVAL", "7", "KUBERNETES_SERVICE_HOST", "10.96.0.1");
    AgentConfig config = parse(env);
    assertThat(config.controller()).isEqualTo("env-host:1234");
    assertThat(config.interval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.kubeconfig()).isEmpty();
    assertThat(parse(env, "--interval", "20").interval()).isEqualTo(Duration.ofSeconds(20));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "3601", "ten", "1.5", ""})
  @DisplayName("an --interval that is not a whole number of seconds in 1..3600 is refused, naming the flag")
  void badInterval(String interval) {
    assertThatThrownBy(() -> AgentFlags.parse(valid("--interval", interval), NO_ENV, "test"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--interval: \"" + interval + "\" must be a whole number of seconds from 1 to 3600")
        .extracting(e -> ((ConfigException) e).flag()).isEqualTo("--interval");
  }

  @Test
  @DisplayName("missing or malformed --controller, unknown flags, flags without value or given twice are refused by name")
  void badFlags() {
    assertThatThrownBy(() -> parse(NO_ENV, "--cert-dir", certDir.toString(), "--kubeconfig", kubeconfig.toString()))
        .hasMessage("--controller: required (or set MESHFED_CONTROLLER)");
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "nohost", "--cert-dir", certDir.toString()))
        .hasMessageStartingWith("--controller: \"nohost\" must be HOST:PORT");
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:99999")).hasMessageStartingWith("--controller: \"h:99999\"");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--frobnicate", "1"), NO_ENV, "test")).hasMessage("--frobnicate: unknown flag (see --help)");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--interval"), NO_ENV, "test")).hasMessage("--interval: needs a value (SECONDS)");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--kubeconfig", "x"), NO_ENV, "test")).hasMessage("--kubeconfig: given twice");
  }

  @Test
  @DisplayName("--cert-dir must exist and hold ca.crt, tls.crt and tls.key; the message names the flag and the missing file")
  void certDirFiles() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:1", "--cert-dir", tmp.resolve("nope").toString(), "--kubeconfig", kubeconfig.toString()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--cert-dir: " + tmp.resolve("nope") + " is not a directory");
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:1", "--cert-dir", empty.toString(), "--kubeconfig", kubeconfig.toString()))
        .hasMessageStartingWith("--cert-dir: " + empty.resolve("ca.crt") + " is missing or unreadable");
    Files.copy(certDir.resolve("ca.crt"), empty.resolve("ca.crt"));
    Files.copy(certDir.resolve("tls.crt"), empty.resolve("tls.crt"));
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:1", "--cert-dir", empty.toString(), "--kubeconfig", kubeconfig.toString()))
        .hasMessageStartingWith("--cert-dir: " + empty.resolve("tls.key") + " is missing");
  }

  @Test
  @DisplayName("outside a pod without --kubeconfig, or with a missing kubeconfig file, --kubeconfig is named")
  void kubeconfigRequiredOutsideAPod() {
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:1", "--cert-dir", certDir.toString()))
        .hasMessageStartingWith("--kubeconfig: not given, and not running in a pod");
    assertThatThrownBy(() -> parse(NO_ENV, "--controller", "h:1", "--cert-dir", certDir.toString(), "--kubeconfig", "/no/such"))
        .hasMessage("--kubeconfig: /no/such is missing or unreadable");
  }

  @Test
  @DisplayName("etcd endpoints must be https URLs; the etcd certificate files go together and must exist")
  void etcdFlags() {
    assertThatThrownBy(() -> AgentFlags.parse(valid("--etcd-endpoints", "http://etcd:2379"), NO_ENV, "test"))
        .hasMessageStartingWith("--etcd-endpoints: \"http://etcd:2379\" must be https://HOST:PORT");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--etcd-endpoints", " , "), NO_ENV, "test")).hasMessage("--etcd-endpoints: lists no endpoint");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--etcd-cert-file", certDir.resolve("tls.crt").toString()), NO_ENV, "test"))
        .hasMessageStartingWith("--etcd-ca-file: missing");
    assertThatThrownBy(() -> AgentFlags.parse(valid("--etcd-ca-file", "/x", "--etcd-cert-file", "/y", "--etcd-key-file", "/z"), NO_ENV, "test"))
        .hasMessage("--etcd-ca-file: /x is missing or unreadable");
    AgentConfig ok = AgentFlags.parse(valid("--etcd-ca-file", certDir.resolve("ca.crt").toString(), "--etcd-cert-file",
        certDir.resolve("tls.crt").toString(), "--etcd-key-file", certDir.resolve("tls.key").toString()), NO_ENV, "test");
    assertThat(ok.etcdFiles()).isPresent();
  }

  @Test
  @DisplayName("--cluster-name (MESHFED_CLUSTER_NAME) must be a valid cluster name and must match the certificate's cluster")
  void clusterNameCrossCheck() {
    assertThatThrownBy(() -> AgentFlags.parse(valid("--cluster-name", "Prod_1"), NO_ENV, "test"))
        .hasMessage("--cluster-name: \"Prod_1\" must match ^([a-z0-9][-a-z0-9]*)?[a-z0-9]$ (lower-case letters, digits and '-')");
    AgentCredentials c1 = AgentCredentials.load(certDir);
    AgentFlags.crossCheck(AgentFlags.parse(valid("--cluster-name", "c1"), NO_ENV, "test"), c1);
    AgentFlags.crossCheck(AgentFlags.parse(valid(), NO_ENV, "test"), c1);
    AgentConfig other = AgentFlags.parse(valid(), Map.of("MESHFED_CLUSTER_NAME", "c2"), "test");
    assertThat(other.clusterName()).contains("c2");
    assertThatThrownBy(() -> AgentFlags.crossCheck(other, c1)).isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-name: \"c2\", but " + certDir.resolve("tls.crt") + " is for cluster \"c1\" (CN agent.c1)");
  }

  @Test
  @DisplayName("--help and --version are information, not errors")
  void info() {
    assertThatThrownBy(() -> parse(NO_ENV, "--help")).isInstanceOf(AgentFlags.InfoRequested.class)
        .hasMessageContaining("--controller HOST:PORT").hasMessageContaining("MESHFED_AGENT_CERT_DIR");
    assertThatThrownBy(() -> parse(NO_ENV, "--version")).hasMessage("meshfed-agent test\n");
  }
}
