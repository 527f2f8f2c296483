package io.meshfed.controller.cli;

import io.meshfed.certs.Fips;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of the {@code meshfed} launcher. FIPS comes first: nothing runs, not even argument
 * parsing, before BCFIPS is registered and the approved-only self-check passed.
 *
 * <p>Exit codes a script can rely on: 0 success, 1 failure (the operation was refused or failed;
 * stderr says why), 2 usage error (bad flags or arguments).
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv()));
  }

  /** Runs one command line; used by {@link #main} and by tests, which pass their own writers. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    try {
      Fips.installAndCheck();
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return FAILURE;
    }
    CommandLine cli = new CommandLine(new MeshfedCommand(env));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new ErrorReporter());
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      return USAGE;
    });
    return cli.execute(args);
  }
}
