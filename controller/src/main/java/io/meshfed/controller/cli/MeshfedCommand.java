package io.meshfed.controller.cli;

import io.meshfed.controller.cli.ca.CaCommand;
import java.util.Map;
import picocli.CommandLine.Command;

/** The {@code meshfed} command tree. */
@Command(
    name = "meshfed",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Multi-cluster Cluster Mesh control plane for Kubernetes clusters that run Cilium.",
    subcommands = {CaCommand.class, BootstrapCommand.class, ControllerCommand.class, TokenCommand.class, JoinCommand.class, LeaveCommand.class, ClustersCommand.class, ServicesCommand.class, StatusCommand.class, PolicyCommand.class, DemoCommand.class})
public final class MeshfedCommand {
  private final Map<String, String> env;

  public MeshfedCommand(Map<String, String> env) {
    this.env = env;
  }

  /** The process environment (tests pass their own). */
  public Map<String, String> env() {
    return env;
  }
}
