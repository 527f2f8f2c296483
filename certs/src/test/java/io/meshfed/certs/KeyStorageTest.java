package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStorageTest {
  @TempDir Path tmp;
  private final TestPki.Hierarchy h = TestPki.hierarchy(TestPki.issuer(), "prod");

  @Test
  @DisplayName("an encrypted key round-trips with the right passphrase and is PBES2 PKCS#8, never clear text")
  void encryptedRoundTrip() {
    String pem = KeyEncryption.encrypt(h.server().privateKey(), TestPki.passphrase(), TestPki.FAST_KDF);
    assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----").doesNotContain("BEGIN PRIVATE KEY");
    PrivateKey back = Pem.decodePrivateKey("key.pem", pem, TestPki.passphrase());
    assertThat(back.getEncoded()).isEqualTo(h.server().privateKey().getEncoded());
    assertThat(KeyMatch.matches(h.server().certificate(), back)).isTrue();
  }

  @Test
  @DisplayName("the production iteration count is used by default and OpenSSL can decrypt the file")
  void opensslReadsOurEncryptedKeys() throws Exception {
    assumeTrue(ChainVerificationTest.onPath("openssl"), "openssl is not installed; skipping the OpenSSL check");
    String pem = KeyEncryption.encrypt(h.client().privateKey(), TestPki.passphrase());
    Path key = tmp.resolve("k.pem");
    Files.writeString(key, pem);
    Path pass = tmp.resolve("pass");
    Files.writeString(pass, "correct horse battery staple\n");
    Process p = new ProcessBuilder("openssl", "pkey", "-in", key.toString(), "-passin", "file:" + pass, "-pubout")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("BEGIN PUBLIC KEY");
    Process info = new ProcessBuilder("openssl", "asn1parse", "-in", key.toString()).redirectErrorStream(true).start();
    String asn = new String(info.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    info.waitFor();
    assertThat(asn).contains("PBES2").contains("PBKDF2").contains("hmacWithSHA256").contains("aes-256-cbc");
  }

  @Test
  @DisplayName("a wrong passphrase is refused with a clear error naming the file")
  void wrongPassphrase() {
    String pem = KeyEncryption.encrypt(h.server().privateKey(), TestPki.passphrase(), TestPki.FAST_KDF);
    Passphrase wrong = Passphrase.of("test", "this is not the passphrase".toCharArray());
    assertThatThrownBy(() -> Pem.decodePrivateKey("ca.key", pem, wrong))
        .isInstanceOf(PkiException.class)
        .hasMessage("ca.key: cannot decrypt private key: wrong passphrase or corrupt key");
    assertThatThrownBy(() -> Pem.decodePrivateKey("ca.key", pem, null))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("passphrase is needed");
  }

  @Test
  @DisplayName("corrupt and truncated PEM is refused, naming the input")
  void corruptPem() {
    String cert = Pem.encodeCertificate(h.root().certificate());
    String truncated = cert.substring(0, cert.length() / 2);
    assertThatThrownBy(() -> Pem.decodeCertificate("root.crt", truncated))
        .isInstanceOf(PkiException.class).hasMessageStartingWith("root.crt: ");
    String flipped = cert.replace(cert.substring(100, 110), "AAAAAAAAAA");
    assertThatThrownBy(() -> Pem.decodeCertificate("root.crt", flipped)).isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> Pem.decodeCertificate("root.crt", "hello")).isInstanceOf(PkiException.class)
        .hasMessageContaining("no PEM CERTIFICATE block");
    String key = KeyEncryption.encrypt(h.root().privateKey(), TestPki.passphrase(), TestPki.FAST_KDF);
    assertThatThrownBy(() -> Pem.decodePrivateKey("ca.key", key.substring(0, key.length() - 60), TestPki.passphrase()))
        .isInstanceOf(PkiException.class).hasMessageStartingWith("ca.key: ");
  }

  @Test
  @DisplayName("a key that does not match its certificate is refused")
  void keyMismatch() {
    assertThatThrownBy(() -> KeyMatch.require("tls.key", h.server().certificate(), h.client().privateKey()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("tls.key: private key does not match certificate");
  }

  @Test
  @DisplayName("short passphrases and flag-free resolution: file first, then MESHFED_CA_PASSPHRASE, else a clear refusal")
  void passphraseSources() throws Exception {
    assertThatThrownBy(() -> Passphrase.of("x", "short".toCharArray())).hasMessageContaining("at least 14");
    Path f = tmp.resolve("pp");
    Files.writeString(f, "from the file, long enough\n");
    String enc = KeyEncryption.encrypt(h.root().privateKey(), Passphrase.resolve(f, Map.of()), TestPki.FAST_KDF);
    assertThat(Pem.decodePrivateKey("k", enc, Passphrase.of("t", "from the file, long enough".toCharArray()))).isNotNull();
    assertThat(Passphrase.resolve(null, Map.of(Passphrase.ENV, "from the environment"))).isNotNull();
    assertThatThrownBy(() -> Passphrase.resolve(null, Map.of())).hasMessageContaining("--passphrase-file").hasMessageContaining(Passphrase.ENV);
  }

  @Test
  @DisplayName("Cilium Secret shapes: cilium-ca has ca.crt/ca.key, TLS Secrets ca.crt/tls.crt (leaf + intermediate)/tls.key")
  void ciliumSecretShapes() {
    Map<String, byte[]> ca = CiliumSecrets.ciliumCa(h.intermediate());
    assertThat(ca).containsOnlyKeys("ca.crt", "ca.key");
    Map<String, byte[]> tls = CiliumSecrets.tls(h.client(), h.bundle());
    assertThat(tls).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
    assertThat(Pem.decodeCertificates("tls.crt", new String(tls.get("tls.crt"), StandardCharsets.US_ASCII)))
        .containsExactly(h.client().certificate(), h.intermediate().certificate());
    assertThat(Pem.decodeCertificates("ca.crt", new String(tls.get("ca.crt"), StandardCharsets.US_ASCII)))
        .containsExactly(h.root().certificate());
    PrivateKey key = Pem.decodePrivateKey("tls.key", new String(tls.get("tls.key"), StandardCharsets.US_ASCII), null);
    assertThat(KeyMatch.matches(h.client().certificate(), key)).isTrue();
  }
}
