package io.meshfed.controller.cli;

import io.meshfed.certs.FipsRandom;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshfed demo}: the demo of the whole mesh (etcd, the controller, simulated member
 * clusters, join, sync, policies, agents, health) runs from a source checkout as {@code ./meshfed
 * demo} (module {@code demo}: it needs the simulated-cluster launcher and etcd, which a product
 * install does not carry), so without flags this command says so. {@code --pki} runs the PKI
 * walk-through here: a root, one intermediate per simulated member, server and client leaves,
 * inspected and verified, then a root key replacement with its overlap.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Where the mesh demo is (./meshfed demo in a source checkout); --pki runs the PKI walk-through here.")
public final class DemoCommand implements Callable<Integer> {
  /** What {@code meshfed demo} prints without --pki. */
  static final String POINTER = """
      The mesh demo runs from a source checkout of meshfed:

        ./meshfed demo          # builds on first use; needs Java 17, Maven and etcd (sudo apt-get install -y etcd-server)

      It starts a real etcd, this controller, three simulated member clusters (c1, c2, c3) joined
      through the real join flow, the example policies (examples/policies) and one agent per
      member, waits until the mesh is Healthy, prints its status and runs until Ctrl-C.

      Here, `meshfed demo --pki` runs the PKI walk-through (root, intermediates, leaves, rotation).
      """;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--pki", description = "Run the PKI walk-through (mesh root, intermediates, leaves, verification, root rotation).")
  boolean pki;

  @Option(names = "--keep", description = "With --pki: keep the demo directory instead of deleting it at the end.")
  boolean keep;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!pki) {
      out.print(POINTER);
      out.flush();
      return Main.OK;
    }
    Path dir = Files.createTempDirectory("meshfed-demo-");
    byte[] secret = new byte[18];
    FipsRandom.get().nextBytes(secret);
    Map<String, String> env = new HashMap<>(((MeshfedCommand) spec.parent().userObject()).env());
    env.put("MESHFED_CA_PASSPHRASE", HexFormat.of().formatHex(secret));
    String ca = dir.resolve("ca").toString();
    try {
      List<Step> steps = List.of(
          new Step("create the mesh root CA (EC P-256, BCFIPS approved-only)", "ca", "init", "--dir", ca, "--mesh", "demo"),
          new Step("issue an intermediate CA for simulated member cluster c1", "ca", "issue", "--dir", ca, "--intermediate", "c1"),
          new Step("issue an intermediate CA for simulated member cluster c2", "ca", "issue", "--dir", ca, "--intermediate", "c2"),
          new Step("issue the controller's server certificate (signed by the root)", "ca", "issue", "--dir", ca, "--server", "--dns", "localhost", "--ip", "127.0.0.1", "--out", dir.resolve("controller").toString()),
          new Step("issue the c1 agent's client certificate (signed by c1's intermediate)", "ca", "issue", "--dir", ca, "--client", "--cn", "agent.c1", "--issuer", "c1", "--out", dir.resolve("agent-c1").toString()),
          new Step("inspect the agent certificate and its chain", "ca", "inspect", dir.resolve("agent-c1.crt").toString()),
          new Step("verify the agent chain against the mesh trust bundle", "ca", "verify", "--bundle", ca + "/bundle.pem", dir.resolve("agent-c1.crt").toString()),
          new Step("plan a root key replacement (dry run)", "ca", "rotate", "--dir", ca, "--force-replace-key", "--dry-run"),
          new Step("replace the root key: v2 signs, v1 stays trusted during the rollout", "ca", "rotate", "--dir", ca, "--force-replace-key"),
          new Step("finish the rollout: prune root v1", "ca", "rotate", "--dir", ca, "--finish-rollout"),
          new Step("verify the re-issued agent chain against the pruned bundle", "ca", "verify", "--bundle", ca + "/bundle.pem", dir.resolve("agent-c1.crt").toString()));
      int n = 1;
      for (Step step : steps) {
        out.printf("%n[%d/%d] %s%n$ meshfed %s%n", n++, steps.size(), step.title(), String.join(" ", step.args()));
        out.flush();
        CommandLine cli = new CommandLine(new MeshfedCommand(env));
        cli.setOut(out);
        cli.setErr(spec.commandLine().getErr());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        int rc = cli.execute(step.args().toArray(String[]::new));
        if (rc != 0) {
          out.println("demo step failed with exit code " + rc);
          return Main.FAILURE;
        }
      }
      out.printf("%nPKI walk-through complete: the mesh PKI works end to end. The whole mesh (etcd, controller, simulated clusters, join, sync, policies, agents, health) is `./meshfed demo` in a source checkout.%n");
      if (keep) {
        out.println("demo files kept in " + dir + " (passphrase: " + env.get("MESHFED_CA_PASSPHRASE") + ")");
      }
      return Main.OK;
    } finally {
      if (!keep) {
        deleteTree(dir);
      }
    }
  }

  private record Step(String title, List<String> args) {
    Step(String title, String... args) {
      this(title, List.of(args));
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
