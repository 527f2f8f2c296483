package io.meshfed.certs;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/** Proves a private key belongs to a certificate by signing a challenge and verifying it. */
public final class KeyMatch {
  private KeyMatch() {}

  public static void require(String source, X509Certificate cert, PrivateKey key) {
    if (!matches(cert, key)) {
      throw new PkiException(
          source, "private key does not match certificate \"" + cert.getSubjectX500Principal().getName() + "\"");
    }
  }

  public static boolean matches(X509Certificate cert, PrivateKey key) {
    if (!cert.getPublicKey().getAlgorithm().equals(key.getAlgorithm())
        && !(cert.getPublicKey().getAlgorithm().startsWith("EC") && key.getAlgorithm().startsWith("EC"))) {
      return false;
    }
    try {
      String alg = KeyType.of(cert.getPublicKey()).signatureAlgorithm();
      byte[] challenge = new byte[32];
      FipsRandom.get().nextBytes(challenge);
      Signature signer = Signature.getInstance(alg, Fips.PROVIDER);
      signer.initSign(key, FipsRandom.get());
      signer.update(challenge);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg, Fips.PROVIDER);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
