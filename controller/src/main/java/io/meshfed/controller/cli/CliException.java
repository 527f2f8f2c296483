package io.meshfed.controller.cli;

/** A refusal raised by a command: usage errors exit 2, everything else 1. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean usageError;

  private CliException(String message, boolean usageError) {
    super(message);
    this.usageError = usageError;
  }

  /** Flags or arguments that do not fit together: exit code 2. */
  public static CliException usage(String message) {
    return new CliException(message, true);
  }

  /** The operation was refused or failed: exit code 1. */
  public static CliException failure(String message) {
    return new CliException(message, false);
  }

  public boolean usageError() {
    return usageError;
  }
}
