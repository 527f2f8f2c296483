package io.meshfed.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The key types the mesh issues. All are FIPS 140-3 approved; nothing weaker is offered. */
public enum KeyType {
  EC_P256("ec-p256", "SHA256withECDSA"),
  EC_P384("ec-p384", "SHA384withECDSA"),
  RSA_3072("rsa-3072", "SHA256withRSA");

  private final String cliName;
  private final String signatureAlgorithm;

  KeyType(String cliName, String signatureAlgorithm) {
    this.cliName = cliName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The name used on the command line and in state files, e.g. {@code ec-p256}. */
  public String cliName() {
    return cliName;
  }

  /** The signature algorithm a CA key of this type signs with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Parses a CLI name; refuses anything else, including weaker RSA sizes. */
  public static KeyType parse(String field, String value) {
    String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (KeyType t : values()) {
      if (t.cliName.equals(wanted)) {
        return t;
      }
    }
    throw new PkiException(
        field,
        "unknown key type \""
            + value
            + "\"; approved key types are "
            + Arrays.stream(values()).map(KeyType::cliName).collect(Collectors.joining(", ")));
  }

  /** The type of an existing public key, so a CA signs with the algorithm that fits its key. */
  public static KeyType of(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() >= 3072) {
        return RSA_3072;
      }
      throw new PkiException("key", "RSA keys must have at least 3072 bits");
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits == 256) {
        return EC_P256;
      }
      if (bits == 384) {
        return EC_P384;
      }
      throw new PkiException("key", "EC keys must be on P-256 or P-384, found a " + bits + "-bit curve");
    }
    throw new PkiException("key", "unsupported key algorithm " + key.getAlgorithm());
  }

  /** Generates a key pair with BCFIPS. */
  public KeyPair generate(SecureRandom random) {
    return generate(random, CryptoProviders.FIPS);
  }

  /** Generates a key pair with the given providers (the JDK ones only for benchmarks). */
  public KeyPair generate(SecureRandom random, CryptoProviders providers) {
    String provider = providers.forKeyType(this);
    try {
      KeyPairGenerator generator;
      switch (this) {
        case EC_P256 -> {
          generator = KeyPairGenerator.getInstance("EC", provider);
          generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        }
        case EC_P384 -> {
          generator = KeyPairGenerator.getInstance("EC", provider);
          generator.initialize(new ECGenParameterSpec("secp384r1"), random);
        }
        case RSA_3072 -> {
          generator = KeyPairGenerator.getInstance("RSA", provider);
          generator.initialize(new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4), random);
        }
        default -> throw new IllegalStateException(name());
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new PkiException("key-type " + cliName, "key generation failed: " + e.getMessage(), e);
    }
  }
}
