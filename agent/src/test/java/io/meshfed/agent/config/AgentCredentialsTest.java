package io.meshfed.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.agent.testing.TestPki;
import io.meshfed.certs.LeafSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCredentialsTest {
  @TempDir Path tmp;
  static final TestPki PKI = new TestPki("c1");

  @Test
  @DisplayName("a cert dir as join writes it loads: leaf with its intermediate, the bundle, the cluster from CN agent.<cluster>")
  void loadsJoinLayout() {
    AgentCredentials creds = AgentCredentials.load(PKI.agentCertDir(tmp.resolve("d"), "c1"));
    assertThat(creds.cluster()).isEqualTo("c1");
    assertThat(creds.certificateChain()).hasSize(2);
    assertThat(creds.trust().roots()).hasSize(1);
    assertThat(creds.changedOnDisk(tmp.resolve("d"))).isFalse();
  }

  @Test
  @DisplayName("a certificate that is not an agent's, a key of another certificate, or a corrupt file is refused naming --cert-dir")
  void refusals() throws IOException {
    Path notAgent = PKI.writeCertDir(tmp.resolve("n"), PKI.client("c1", "remote-c1", LeafSpec.DEFAULT_VALIDITY));
    assertThatThrownBy(() -> AgentCredentials.load(notAgent)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--cert-dir: " + notAgent.resolve("tls.crt") + ": CN \"remote-c1\" is not an agent certificate's");

    Path mixed = PKI.agentCertDir(tmp.resolve("m"), "c1");
    Path other = PKI.agentCertDir(tmp.resolve("o"), "c1");
    Files.copy(other.resolve("tls.key"), mixed.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> AgentCredentials.load(mixed)).hasMessageContaining("private key does not match certificate").hasMessageStartingWith("--cert-dir: ");

    Path corrupt = PKI.agentCertDir(tmp.resolve("c"), "c1");
    Files.writeString(corrupt.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
    assertThatThrownBy(() -> AgentCredentials.load(corrupt)).hasMessageStartingWith("--cert-dir: " + corrupt.resolve("ca.crt"));
  }
}
