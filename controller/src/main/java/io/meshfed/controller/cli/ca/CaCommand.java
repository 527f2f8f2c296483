package io.meshfed.controller.cli.ca;

import picocli.CommandLine.Command;

/** {@code meshfed ca}: the mesh PKI from the command line, on a CA directory. */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = "Create, issue, inspect, verify and rotate the mesh's certificates (Bouncy Castle FIPS).",
    subcommands = {CaInitCommand.class, CaIssueCommand.class, CaInspectCommand.class, CaVerifyCommand.class, CaRotateCommand.class})
public final class CaCommand {}
