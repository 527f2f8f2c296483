package io.meshfed.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.agent.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
  @TempDir static Path tmp;
  static Path certDir;
  static Path kubeconfig;

  @BeforeAll
  static void files() throws IOException {
    certDir = new TestPki("c1").agentCertDir(tmp.resolve("certs"), "c1");
    kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), "apiVersion: v1\n");
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AgentMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a bad --interval exits 2 with one line naming the flag")
  void badIntervalExits2() {
    Run r = run("--controller", "h:1", "--cert-dir", certDir.toString(), "--kubeconfig", kubeconfig.toString(), "--interval", "0");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("meshfed-agent: --interval: \"0\" must be a whole number of seconds from 1 to 3600" + System.lineSeparator());
  }

  @Test
  @DisplayName("missing certificate files exit 2, naming --cert-dir and the file")
  void missingCertFilesExit2() throws IOException {
    Path partial = Files.createDirectories(tmp.resolve("partial"));
    Files.copy(certDir.resolve("ca.crt"), partial.resolve("ca.crt"));
    Run r = run("--controller", "h:1", "--cert-dir", partial.toString(), "--kubeconfig", kubeconfig.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("meshfed-agent: --cert-dir: " + partial.resolve("tls.crt") + " is missing or unreadable");
  }

  @Test
  @DisplayName("a certificate for another cluster than --cluster-name exits 2")
  void wrongClusterExits2() {
    Run r = run("--controller", "h:1", "--cert-dir", certDir.toString(), "--kubeconfig", kubeconfig.toString(), "--cluster-name", "c2");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("meshfed-agent: --cluster-name: \"c2\", but ");
  }

  @Test
  @DisplayName("a kubeconfig fabric8 cannot use exits 2 naming --kubeconfig; --help exits 0 with the usage on stdout")
  void kubeconfigAndHelp() throws IOException {
    Path broken = Files.writeString(tmp.resolve("broken"), "clusters: [\n");
    Run r = run("--controller", "127.0.0.1:1", "--cert-dir", certDir.toString(), "--kubeconfig", broken.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("meshfed-agent: --kubeconfig: " + broken);
    Run help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("Usage: meshfed-agent");
  }
}
