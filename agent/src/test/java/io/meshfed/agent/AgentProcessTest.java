package io.meshfed.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshfed.agent.testing.SharedClusters;
import io.meshfed.agent.testing.TestController;
import io.meshfed.agent.testing.TestPki;
import io.meshfed.certs.LeafSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as its own process, with the JVM options of the launcher script (64 MiB heap, serial
 * GC, FIPS approved-only): it starts, reports, and keeps reporting; bad flags exit 2. The time to
 * the first report is measured and logged; the bound asserted is generous (the machine is shared),
 * the target is 2 s.
 */
class AgentProcessTest {
  static final Path LAUNCHER = Path.of("src/main/dist/bin/meshfed-agent");
  @TempDir static Path tmp;
  static TestPki pki;
  static TestController controller;

  @BeforeAll
  static void setUp() {
    pki = new TestPki("c1");
    controller = new TestController(pki.server("localhost", LeafSpec.Kind.SERVER), pki.bundle());
    controller.warmUp(pki.client("c1", "warm-up", LeafSpec.DEFAULT_VALIDITY));
    SharedClusters.get();
  }

  @AfterAll
  static void tearDown() {
    controller.close();
  }

  /** The JVM options the launcher script passes (every -X.../-D... without a shell variable in it). */
  static List<String> launcherJvmOptions() throws IOException {
    List<String> options = new ArrayList<>();
    Matcher m = Pattern.compile("(?<=\\s)(-X\\S+|-D[^\\s$]+)(?=\\s|$)").matcher(Files.readString(LAUNCHER));
    while (m.find()) {
      if (!m.group(1).contains("$")) {
        options.add(m.group(1));
      }
    }
    return options;
  }

  private static Process launch(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(launcherJvmOptions());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(AgentMain.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  @Test
  @DisplayName("the launcher's JVM options are the 64 MiB profile with FIPS approved-only")
  void launcherOptions() throws IOException {
    assertThat(launcherJvmOptions()).contains("-Xmx64m", "-Xss256k", "-XX:+UseSerialGC", "-Dorg.bouncycastle.fips.approved_only=true");
  }

  @Test
  @DisplayName("a separate JVM with -Xmx64m reports within seconds of its start and keeps reporting every second")
  void startsAndReportsInSmallHeap() throws Exception {
    Path certDir = pki.agentCertDir(tmp.resolve("certs"), "c1");
    Path log = tmp.resolve("agent.log");
    long started = System.nanoTime();
    Process agent = launch(log, "--controller", controller.address(), "--cert-dir", certDir.toString(),
        "--kubeconfig", SharedClusters.kubeconfig("c1").toString(), "--interval", "1");
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !controller.reportsFrom("agent.c1").isEmpty() || !agent.isAlive());
      long firstReportMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(agent.isAlive()).as(Files.readString(log)).isTrue();
      // Complete reports keep arriving from the 64 MiB JVM: no OutOfMemoryError (the launcher exits on one).
      await().atMost(Duration.ofSeconds(60)).until(() -> controller.reportsFrom("agent.c1").stream()
          .filter(r -> r.report().hasCounts()).count() >= 5 || !agent.isAlive());
      assertThat(agent.isAlive()).as(Files.readString(log)).isTrue();
      String out = Files.readString(log);
      Matcher first = Pattern.compile("op=report.first sequence=1 msSinceStart=(\\d+)").matcher(out);
      assertThat(first.find()).as(out).isTrue();
      System.err.printf("agent process: first report %d ms after process start (%s ms after the agent started)%n%s%n%s%n",
          firstReportMillis, first.group(1), out, heapInfo(agent.pid()));
      assertThat(firstReportMillis).isLessThan(30_000);
    } finally {
      agent.destroy();
      assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(log)).contains("op=stop result=ok");
  }

  /** {@code jcmd <pid> GC.heap_info}, for the test log (the JDK's jcmd, when there is one). */
  private static String heapInfo(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return "(no jcmd)";
    }
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(20, TimeUnit.SECONDS);
      return out;
    } catch (IOException | InterruptedException e) {
      return "(jcmd failed: " + e + ")";
    }
  }

  @Test
  @DisplayName("a bad flag in a real process exits 2 with the flag named on stderr")
  void badFlagExits2() throws Exception {
    Path log = tmp.resolve("bad.log");
    Process agent = launch(log, "--controller", "127.0.0.1:1", "--cert-dir", tmp.resolve("missing").toString(),
        "--kubeconfig", SharedClusters.kubeconfig("c1").toString());
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("meshfed-agent: --cert-dir: " + tmp.resolve("missing") + " is not a directory");
  }
}
