package io.meshfed.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The secret that protects private keys at rest. It comes from a file (one line; a key file works
 * the same way) or from the {@code MESHFED_CA_PASSPHRASE} environment variable, never from a
 * command-line value, which would show in {@code ps} and shell history.
 */
public final class Passphrase {
  /** The environment variable read when no file is given. */
  public static final String ENV = "MESHFED_CA_PASSPHRASE";
  /** PBKDF2 in approved mode wants real entropy; refuse short secrets rather than weaken the KDF. */
  public static final int MIN_LENGTH = 14;

  private final char[] chars;

  private Passphrase(char[] chars) {
    this.chars = chars;
  }

  public static Passphrase of(String source, char[] chars) {
    if (chars.length < MIN_LENGTH) {
      throw new PkiException(source, "passphrase must be at least " + MIN_LENGTH + " characters");
    }
    return new Passphrase(chars.clone());
  }

  /** Reads the first line of a file (trailing newline dropped). */
  public static Passphrase fromFile(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      String line = nl >= 0 ? text.substring(0, nl) : text;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      return of("--passphrase-file " + file, line.toCharArray());
    } catch (IOException e) {
      throw new PkiException("--passphrase-file " + file, "cannot read: " + e.getMessage(), e);
    }
  }

  /** The file if given, else the environment variable; refuses when neither is set. */
  public static Passphrase resolve(Path file, Map<String, String> env) {
    if (file != null) {
      return fromFile(file);
    }
    String value = env.get(ENV);
    if (value == null || value.isEmpty()) {
      throw new PkiException(
          "passphrase", "no passphrase: pass --passphrase-file FILE or set " + ENV + " (never a flag value)");
    }
    return of(ENV, value.toCharArray());
  }

  char[] chars() {
    return chars.clone();
  }

  /** Wipes the secret from memory. */
  public void destroy() {
    Arrays.fill(chars, '\0');
  }

  @Override
  public String toString() {
    return "Passphrase[redacted]";
  }
}
