package io.meshfed.controller.cli.ca;

import io.meshfed.controller.cli.MeshfedCommand;
import picocli.CommandLine;

/** Small helpers shared by the commands of this package. */
final class CliContext {
  private CliContext() {}

  /** The root command object, which carries the environment. */
  static MeshfedCommand root(CommandLine.Model.CommandSpec spec) {
    CommandLine c = spec.commandLine();
    while (c.getParent() != null) {
      c = c.getParent();
    }
    return c.getCommand();
  }

  /** Progress goes to stderr, so stdout stays clean for -o json|yaml and for scripts. */
  static void progress(CommandLine.Model.CommandSpec spec, String message) {
    spec.commandLine().getErr().println("... " + message);
    spec.commandLine().getErr().flush();
  }
}
