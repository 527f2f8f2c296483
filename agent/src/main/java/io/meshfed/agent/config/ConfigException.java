package io.meshfed.agent.config;

import java.util.Objects;

/**
 * A flag (or its environment variable) that is missing or wrong. The message starts with the flag,
 * e.g. {@code --interval: "0" must be a whole number of seconds from 1 to 3600}; the agent prints
 * it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String flag;

  public ConfigException(String flag, String problem) {
    this(flag, problem, null);
  }

  public ConfigException(String flag, String problem, Throwable cause) {
    super(Objects.requireNonNull(flag, "flag") + ": " + problem, cause);
    this.flag = flag;
  }

  /** The flag at fault, e.g. {@code --cert-dir}. */
  public String flag() {
    return flag;
  }
}
