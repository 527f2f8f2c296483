package io.meshfed.controller.config;

/** A configuration value that is missing or breaks a rule; names the field. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public ConfigException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
