package io.meshfed.simcluster.auth;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque bearer tokens: 32 random bytes, base64url. Random per simulated cluster and per launch,
 * so a token of one simulated cluster never works against another, as with real clusters.
 */
final class RandomTokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BYTES = 32;

  private RandomTokens() {
  }

  static String next() {
    byte[] bytes = new byte[BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
