package io.meshfed.controller.cli;

import io.meshfed.certs.PkiException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on stderr and exit code 1. Refusals the product raises on
 * purpose ({@link PkiException}, {@link CliException}) print their message only; anything else is
 * a bug and prints its stack trace too.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  /**
   * The field a deliberate refusal names, or null for anything else. A refusal of a flag's value
   * (unknown --key-type, malformed --ip) is a usage error: exit 2.
   */
  static String fieldOf(Exception ex) {
    if (ex instanceof PkiException e) {
      return e.input();
    }
    if (ex instanceof io.meshfed.controller.store.StoreException e) {
      return e.field();
    }
    if (ex instanceof io.meshfed.controller.config.ConfigException e) {
      return e.field();
    }
    if (ex instanceof io.meshfed.api.cluster.InvalidValueException e) {
      return e.field();
    }
    if (ex instanceof ApiClientException e) {
      return e.field() == null ? "api" : e.field();
    }
    return null;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (ex instanceof CliException usage && usage.usageError()) {
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.USAGE;
    }
    String field = fieldOf(ex);
    if (field != null && field.startsWith("--")) {
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.USAGE;
    }
    if (field != null || ex instanceof CliException) {
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.FAILURE;
    }
    cmd.getErr().println("error: unexpected failure: " + ex);
    ex.printStackTrace(cmd.getErr());
    return Main.FAILURE;
  }
}
