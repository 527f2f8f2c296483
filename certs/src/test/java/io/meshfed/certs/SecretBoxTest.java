package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private final byte[] salt = SecretBox.newSalt();
  private final SecretBox box = SecretBox.derive(TestPki.passphrase(), salt);

  @Test
  @DisplayName("a sealed value opens with the same key and associated data, and never contains the plaintext")
  void roundTrip() {
    byte[] secret = "member token".getBytes(StandardCharsets.UTF_8);
    String sealed = box.seal(secret, "c1".getBytes(StandardCharsets.UTF_8));
    assertThat(sealed).startsWith("v1:").doesNotContain("member token");
    assertThat(box.open(sealed, "c1".getBytes(StandardCharsets.UTF_8))).isEqualTo(secret);
    assertThat(box.seal(secret, "c1".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(sealed);
  }

  @Test
  @DisplayName("wrong record, wrong passphrase, tampering and garbage are refused")
  void refusals() {
    String sealed = box.seal("x".getBytes(StandardCharsets.UTF_8), "c1".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> box.open(sealed, "c2".getBytes(StandardCharsets.UTF_8))).isInstanceOf(PkiException.class);
    SecretBox other = SecretBox.derive(Passphrase.of("t", "another passphrase entirely".toCharArray()), salt);
    assertThatThrownBy(() -> other.open(sealed, "c1".getBytes(StandardCharsets.UTF_8))).isInstanceOf(PkiException.class);
    String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertThatThrownBy(() -> box.open(tampered, "c1".getBytes(StandardCharsets.UTF_8))).isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> box.open("v1:%%%", new byte[0])).isInstanceOf(PkiException.class);
    assertThatThrownBy(() -> box.open("plain", new byte[0])).hasMessageContaining("v1:");
  }
}
