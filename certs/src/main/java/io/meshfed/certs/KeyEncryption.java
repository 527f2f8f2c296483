package io.meshfed.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEInputDecryptorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;

/**
 * Private keys at rest: PKCS#8 {@code ENCRYPTED PRIVATE KEY} with PBES2, PBKDF2-HMAC-SHA256 and
 * AES-256-CBC, all approved algorithms under BCFIPS. The standard container means OpenSSL can read
 * the files too ({@code openssl pkey -in ca.key}), which matters when an operator must recover by
 * hand.
 */
public final class KeyEncryption {
  /**
   * PBKDF2-HMAC-SHA256 iterations. NIST SP 800-132 asks for at least 1,000; OWASP's 2023 guidance is
   * 600,000. 210,000 costs about half a second per key on BCFIPS (pure Java), which keeps a CLI
   * command that loads a CA directory of a root and a few intermediates within a few seconds; the
   * passphrase minimum of 14 characters carries the rest of the margin. See docs/operations.md.
   */
  public static final int ITERATIONS = 210_000;

  private KeyEncryption() {}

  public static String encrypt(PrivateKey key, Passphrase passphrase) {
    return encrypt(key, passphrase, ITERATIONS);
  }

  /** Lower iteration counts exist for tests only; production paths call {@link #encrypt(PrivateKey, Passphrase)}. */
  public static String encrypt(PrivateKey key, Passphrase passphrase, int iterations) {
    char[] secret = passphrase.chars();
    try {
      OutputEncryptor encryptor = new JcePKCSPBEOutputEncryptorBuilder(NISTObjectIdentifiers.id_aes256_CBC)
          .setProvider(Fips.PROVIDER)
          .setRandom(FipsRandom.get())
          .setPRF(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))
          .setIterationCount(iterations)
          .build(secret);
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(new JcaPKCS8Generator(key, encryptor));
      }
      return out.toString();
    } catch (OperatorCreationException | IOException e) {
      throw new PkiException("private key", "encryption failed: " + e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(secret, '\0');
    }
  }

  static PrivateKey decrypt(String source, PKCS8EncryptedPrivateKeyInfo encrypted, Passphrase passphrase) {
    char[] secret = passphrase.chars();
    try {
      InputDecryptorProvider decryptor = new JcePKCSPBEInputDecryptorProviderBuilder().setProvider(Fips.PROVIDER).build(secret);
      return new JcaPEMKeyConverter().setProvider(Fips.PROVIDER).getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
    } catch (PKCSException | IOException | RuntimeException e) {
      throw new PkiException(source, "cannot decrypt private key: wrong passphrase or corrupt key", e);
    } finally {
      java.util.Arrays.fill(secret, '\0');
    }
  }
}
