package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaDirectoryTest {
  @TempDir Path tmp;
  private final CertificateIssuer issuer = TestPki.issuer();

  private CaDirectory store(Path dir) {
    return new CaDirectory(dir, TestPki.passphrase(), TestPki.FAST_KDF);
  }

  @Test
  @DisplayName("a saved PKI loads back identically, and no private key is on disk in clear text")
  void roundTripWithoutClearKeys() throws Exception {
    Path dir = tmp.resolve("ca");
    MeshPki pki = MeshPki.create(issuer, "prod", KeyType.EC_P256).withIntermediate(issuer, "c1", CertificateIssuer.INTERMEDIATE_VALIDITY);
    pki = pki.withLeaf(issuer, "agent-c1", "c1", LeafSpec.client("agent.c1"), tmp.resolve("out/agent").toString());
    store(dir).init(pki, false, issuer.clock());

    MeshPki back = store(dir).load();
    assertThat(back.root().certificate()).isEqualTo(pki.root().certificate());
    assertThat(back.issued()).containsOnlyKeys("c1", "agent-c1");
    assertThat(back.issued().get("agent-c1").current().chain()).containsExactly(pki.issued().get("c1").current().certificate());
    assertThat(back.issued().get("agent-c1").spec().commonName()).isEqualTo("agent.c1");
    assertThat(tmp.resolve("out/agent.crt")).exists();
    try (Stream<Path> files = Files.walk(tmp)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("BEGIN PRIVATE KEY").doesNotContain("BEGIN EC PRIVATE KEY");
      }
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root/ca.key")))).isEqualTo("rw-------");
  }

  @Test
  @DisplayName("init into a directory that holds a CA is refused and changes nothing; --force keeps a backup")
  void initRefusesExisting() throws Exception {
    Path dir = tmp.resolve("ca");
    MeshPki first = MeshPki.create(issuer, "prod", KeyType.EC_P256);
    store(dir).init(first, false, issuer.clock());
    byte[] before = Files.readAllBytes(dir.resolve("root/ca.crt"));

    MeshPki second = MeshPki.create(issuer, "prod", KeyType.EC_P256);
    assertThatThrownBy(() -> store(dir).init(second, false, issuer.clock()))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("already holds a CA");
    assertThat(Files.readAllBytes(dir.resolve("root/ca.crt"))).isEqualTo(before);

    Path backup = store(dir).init(second, true, issuer.clock());
    assertThat(backup).isNotNull();
    assertThat(Files.readAllBytes(backup.resolve("root/ca.crt"))).isEqualTo(before);
    assertThat(store(dir).load().root().certificate()).isEqualTo(second.root().certificate());
  }

  @Test
  @DisplayName("loading with a wrong passphrase is refused and the store is untouched")
  void wrongPassphraseOnLoad() throws Exception {
    Path dir = tmp.resolve("ca");
    store(dir).init(MeshPki.create(issuer, "prod", KeyType.EC_P256), false, issuer.clock());
    byte[] before = Files.readAllBytes(dir.resolve("root/ca.key"));
    CaDirectory wrong = new CaDirectory(dir, Passphrase.of("t", "not the right passphrase".toCharArray()), TestPki.FAST_KDF);
    assertThatThrownBy(wrong::load).isInstanceOf(PkiException.class).hasMessageContaining("wrong passphrase");
    assertThat(Files.readAllBytes(dir.resolve("root/ca.key"))).isEqualTo(before);
  }

  @Test
  @DisplayName("a store whose key was swapped for another key is refused on load")
  void swappedKeyRefused() throws Exception {
    Path dir = tmp.resolve("ca");
    store(dir).init(MeshPki.create(issuer, "prod", KeyType.EC_P256), false, issuer.clock());
    CertifiedKey other = issuer.createRoot("prod", 1, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY);
    Files.writeString(dir.resolve("root/ca.key"), KeyEncryption.encrypt(other.privateKey(), TestPki.passphrase(), TestPki.FAST_KDF));
    assertThatThrownBy(() -> store(dir).load()).isInstanceOf(PkiException.class).hasMessageContaining("does not match");
  }

  @Test
  @DisplayName("an empty directory is refused with the command that fixes it")
  void emptyDirectory() {
    assertThatThrownBy(() -> store(tmp.resolve("none")).load()).hasMessageContaining("meshfed ca init");
    assertThatThrownBy(() -> CaDirectory.validateEntryName("--out", "../etc")).isInstanceOf(PkiException.class);
    assertThat(CaDirectory.validateEntryName("--out", "agent-c1")).isEqualTo("agent-c1");
    assertThat(List.of()).isEmpty();
  }
}
