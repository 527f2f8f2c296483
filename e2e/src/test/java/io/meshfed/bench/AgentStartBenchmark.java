package io.meshfed.bench;

import static io.meshfed.bench.JoinBenchmark.pct;

import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run agent-start [starts]}: how long a real agent process takes from its launch until
 * its first report is on the wire to the controller (issue #6: "up and reporting within 2 s of
 * start").
 *
 * <p>One etcd (TLS, client-cert auth), the controller as its own JVM, one simulated cluster joined
 * through the CLI. After one warm-up start (page cache, the controller's first handshake), the
 * shipped launcher ({@code agent/target/meshfed-agent/bin/meshfed-agent}) is started
 * {@code 2 * starts} times (default 10 per variant), by turns with the start-up warm-up on and off
 * ({@code -Dmeshfed.agent.warmup=false}), so both variants see the same machine. Each time the
 * benchmark waits for the agent's {@code op=report.first} line (written right after the first
 * report is handed to the gRPC stream over mTLS) and stops the agent with SIGTERM. Reported: the
 * wall time from {@link ProcessBuilder#start()} to the line appearing in the log (polled every
 * 5 ms), the agent's own {@code jvmUptimeMs} in that line (from the JVM's creation), and its
 * {@code msSinceStart} (from the agent's start, after the FIPS self-tests and flags).
 */
public final class AgentStartBenchmark {
  static final Pattern FIRST = Pattern.compile("op=report\\.first .*msSinceStart=(\\d+) jvmUptimeMs=(\\d+)");

  private AgentStartBenchmark() {}

  public static void main(String[] args) throws Exception {
    int starts = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
    Path dir = Files.createTempDirectory("meshfed-agent-start-bench-");
    MeshHarness mesh = MeshHarness.prepare(dir);
    List<String> out = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.singleNode().withTls(mesh.etcdTls()).start();
        SimulatedClusters sims = SimulatedClusters.builder().cluster("c1", 1).nodes(3).identities(20).endpoints(40).services(2).start()) {
      CliRunner.Result boot = mesh.bootstrap(etcd.clientEndpoints());
      if (boot.exit() != 0) {
        throw new IllegalStateException(boot.toString());
      }
      ControllerProcess controller = mesh.startControllerProcess(Map.of("MESHFED_LOG_LEVEL", "WARN"));
      CliRunner.Result join = mesh.join(sims, "c1", 1);
      if (join.exit() != 0) {
        throw new IllegalStateException("join c1: " + join);
      }
      Path certs = HealthBenchmark.writeAgentCerts(sims, dir.resolve("agent-c1"));
      String launcher = Path.of("agent/target/meshfed-agent/bin/meshfed-agent").toAbsolutePath().toString();
      // One start to warm the page cache and the controller, then the two variants by turns.
      Start warmup = start(launcher, controller, certs, sims, dir.resolve("agent-warmup.log"), true);
      System.out.printf(Locale.ROOT, "warm-up start: launch to first report %.0f ms, JVM uptime %.0f ms%n", warmup.wallMs(), warmup.uptimeMs());
      Map<Boolean, List<Start>> byVariant = new java.util.TreeMap<>();
      for (int i = 0; i < 2 * starts; i++) {
        boolean warm = i % 2 == 0;
        Start s = start(launcher, controller, certs, sims, dir.resolve("agent-" + i + ".log"), warm);
        byVariant.computeIfAbsent(warm, k -> new ArrayList<>()).add(s);
        System.out.printf(Locale.ROOT, "start %d (warm-up %s): launch to first report %.0f ms, JVM uptime %.0f ms, agent start to first report %.0f ms%n",
            i + 1, warm ? "on" : "off", s.wallMs(), s.uptimeMs(), s.sinceAgentStartMs());
      }
      controller.close();
      List<double[]> floors = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        floors.add(floor(dir.resolve("floor-" + i + ".log")));
      }
      out.add(String.format(Locale.ROOT, "%d starts of the real agent process per variant, by turns, after one warm-up start; load %s", starts,
          SyncBenchmark.load()));
      out.add("");
      out.add("| start-up warm-up | launch to first report: p50 / max ms | JVM uptime at the first report: p50 / max ms | agent start to first report: p50 ms |");
      out.add("|---|---:|---:|---:|");
      for (Map.Entry<Boolean, List<Start>> e : byVariant.entrySet()) {
        List<Double> wall = sorted(e.getValue().stream().map(Start::wallMs).toList());
        List<Double> up = sorted(e.getValue().stream().map(Start::uptimeMs).toList());
        List<Double> agent = sorted(e.getValue().stream().map(Start::sinceAgentStartMs).toList());
        out.add(String.format(Locale.ROOT, "| %s | %.0f / %.0f | %.0f / %.0f | %.0f |", e.getKey() ? "on (default)" : "off (-Dmeshfed.agent.warmup=false)",
            pct(wall, 50), wall.get(wall.size() - 1), pct(up, 50), up.get(up.size() - 1), pct(agent, 50)));
      }
      List<Double> fipsReady = sorted(floors.stream().map(f -> f[0]).toList());
      List<Double> tlsReady = sorted(floors.stream().map(f -> f[1]).toList());
      out.add("");
      out.add(String.format(Locale.ROOT, "Floor (FipsStartFloor, %d JVMs with the launcher's options, nothing but BCFIPS/BCJSSE and one TLS context): "
          + "JVM uptime when FIPS is ready p50 %.0f ms (min %.0f, max %.0f); when the TLS context is ready p50 %.0f ms (min %.0f, max %.0f)",
          floors.size(), pct(fipsReady, 50), fipsReady.get(0), fipsReady.get(fipsReady.size() - 1), pct(tlsReady, 50), tlsReady.get(0),
          tlsReady.get(tlsReady.size() - 1)));
    }
    System.out.println(String.join("\n", out));
  }

  record Start(double wallMs, double uptimeMs, double sinceAgentStartMs) {}

  static List<Double> sorted(List<Double> values) {
    List<Double> copy = new ArrayList<>(values);
    copy.sort(null);
    return copy;
  }

  /** One launch of the shipped launcher until the agent's first report; then SIGTERM. */
  static Start start(String launcher, ControllerProcess controller, Path certs, SimulatedClusters sims, Path log, boolean warm)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(launcher, "--controller", "localhost:" + controller.grpcPort(), "--cert-dir", certs.toString(),
        "--kubeconfig", sims.cluster("c1").kubeconfig().toString(), "--interval", "10")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    String opts = System.getenv().getOrDefault("MESHFED_JAVA_OPTS", "");
    pb.environment().put("MESHFED_JAVA_OPTS", (opts + " -Dmeshfed.agent.warmup=" + warm).strip());
    long t0 = System.nanoTime();
    Process agent = pb.start();
    Matcher m = awaitFirstReport(log, agent);
    double ms = (System.nanoTime() - t0) / 1e6;
    agent.destroy();
    if (!agent.waitFor(30, TimeUnit.SECONDS)) {
      agent.destroyForcibly();
    }
    return new Start(ms, Double.parseDouble(m.group(2)), Double.parseDouble(m.group(1)));
  }

  static final Pattern FLOOR = Pattern.compile("fipsReadyMs=(\\d+) tlsContextReadyMs=(\\d+)");

  /** One {@link FipsStartFloor} JVM with the agent launcher's JVM options; its two uptimes. */
  static double[] floor(Path log) throws Exception {
    Path lib = Path.of("agent/target/meshfed-agent/lib").toAbsolutePath();
    String cp = lib + "/*" + java.io.File.pathSeparator + Path.of("e2e/target/test-classes").toAbsolutePath();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms16m", "-Xmx64m", "-Xmn6m",
        "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Dorg.bouncycastle.fips.approved_only=true",
        "-cp", cp, FipsStartFloor.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("FipsStartFloor failed; log: " + log);
    }
    Matcher m = FLOOR.matcher(Files.readString(log, StandardCharsets.UTF_8));
    if (!m.find()) {
      throw new IllegalStateException("FipsStartFloor printed no timings; log: " + log);
    }
    return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
  }

  /** Polls the agent's log until its first-report line; fails when the agent exits or 60 s pass. */
  static Matcher awaitFirstReport(Path log, Process agent) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        Matcher m = FIRST.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) {
          return m;
        }
      }
      if (!agent.isAlive()) {
        throw new IllegalStateException("the agent exited with " + agent.exitValue() + " before reporting; log: " + log);
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("no first report within 60 s; log: " + log);
  }
}
