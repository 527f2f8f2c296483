package io.meshfed.controller.cli;

import io.meshfed.certs.PkiException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on stderr and exit code 1. Refusals the product raises on
 * purpose ({@link PkiException}, {@link CliException}) print their message only; anything else is
 * a bug and prints its stack trace too.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (ex instanceof CliException usage && usage.usageError()) {
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.USAGE;
    }
    if (ex instanceof PkiException pki && pki.input().startsWith("--")) {
      // A flag whose value is refused (unknown --key-type, malformed --ip): a usage error.
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.USAGE;
    }
    if (ex instanceof PkiException || ex instanceof CliException) {
      cmd.getErr().println("error: " + ex.getMessage());
      return Main.FAILURE;
    }
    cmd.getErr().println("error: unexpected failure: " + ex);
    ex.printStackTrace(cmd.getErr());
    return Main.FAILURE;
  }
}
