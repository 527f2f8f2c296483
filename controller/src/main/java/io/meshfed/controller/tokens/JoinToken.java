package io.meshfed.controller.tokens;

import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A join token {@code <id>.<secret>} (the kubeadm bootstrap-token shape): the id names the record,
 * the secret proves possession. 6 + 16 characters of [a-z0-9]: ~82 bits of secret, enough that the
 * stored SHA-256 cannot be reversed by search.
 */
public record JoinToken(String id, String secret) {
  private static final Pattern FORMAT = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  public static JoinToken generate() {
    return new JoinToken(random(6), random(16));
  }

  /** Parses; null when the text is not a token at all. */
  public static JoinToken parse(String text) {
    if (text == null) {
      return null;
    }
    var m = FORMAT.matcher(text.trim());
    return m.matches() ? new JoinToken(m.group(1), m.group(2)) : null;
  }

  public String secretSha256() {
    return sha256(secret);
  }

  /** Compares in constant time, so the answer's timing does not leak how much of a guess was right. */
  public boolean matches(String storedSha256) {
    return MessageDigest.isEqual(secretSha256().getBytes(StandardCharsets.US_ASCII), storedSha256.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return id + "." + secret;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", Fips.PROVIDER).digest(s.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET[FipsRandom.get().nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }
}
