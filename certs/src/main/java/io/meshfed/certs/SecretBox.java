package io.meshfed.certs;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts small secrets at rest (member credentials in etcd) with AES-256-GCM under BCFIPS. The
 * key is derived once from the mesh passphrase and a per-mesh salt with PBKDF2-HMAC-SHA256; every
 * value gets a fresh 96-bit nonce, and the caller binds it to where it is stored (associated data,
 * e.g. the cluster name) so a ciphertext copied to another record does not decrypt.
 *
 * <p>Format: {@code v1:} + base64(nonce || ciphertext+tag).
 */
public final class SecretBox {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private final SecretKey key;

  private SecretBox(SecretKey key) {
    this.key = key;
  }

  /** Derives the key (slow on purpose: do it once per process). */
  public static SecretBox derive(Passphrase passphrase, byte[] salt) {
    if (salt.length < 16) {
      throw new PkiException("salt", "must be at least 128 bits");
    }
    char[] secret = passphrase.chars();
    try {
      SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256", Fips.PROVIDER);
      byte[] raw = f.generateSecret(new PBEKeySpec(secret, salt, KeyEncryption.ITERATIONS, 256)).getEncoded();
      return new SecretBox(new SecretKeySpec(raw, "AES"));
    } catch (GeneralSecurityException e) {
      throw new PkiException("passphrase", "cannot derive the secret-box key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(secret, '\0');
    }
  }

  /** A fresh random salt for a new mesh. */
  public static byte[] newSalt() {
    byte[] salt = new byte[32];
    FipsRandom.get().nextBytes(salt);
    return salt;
  }

  public String seal(byte[] plaintext, byte[] associatedData) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      FipsRandom.get().nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", Fips.PROVIDER);
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(associatedData);
      byte[] ct = c.doFinal(plaintext);
      return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new PkiException("secret", "encryption failed: " + e.getMessage(), e);
    }
  }

  public byte[] open(String sealed, byte[] associatedData) {
    if (sealed == null || !sealed.startsWith(PREFIX)) {
      throw new PkiException("secret", "not a sealed value (expected the v1: prefix)");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      if (all.length < NONCE_BYTES + 16) {
        throw new PkiException("secret", "sealed value is truncated");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", Fips.PROVIDER);
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
      c.updateAAD(associatedData);
      return c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new PkiException("secret", "cannot decrypt: wrong passphrase, wrong record, or tampered value", e);
    }
  }
}
