package io.meshfed.certs;

/**
 * A refusal from the PKI: names the input that was refused and the rule it broke, so a CLI or API
 * can print one clear line ("tls.key: key does not match certificate server.crt") and a script can
 * rely on the exit code instead of parsing a stack trace.
 */
public class PkiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String input;
  private final String rule;

  public PkiException(String input, String rule) {
    this(input, rule, null);
  }

  public PkiException(String input, String rule, Throwable cause) {
    super(input + ": " + rule, cause);
    this.input = input;
    this.rule = rule;
  }

  /** The file, flag or field that was refused. */
  public String input() {
    return input;
  }

  /** The rule it broke, in words. */
  public String rule() {
    return rule;
  }
}
