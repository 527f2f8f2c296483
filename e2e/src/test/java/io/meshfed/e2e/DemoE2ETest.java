package io.meshfed.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a user runs it: the demo launcher (what {@code ./meshfed demo}
 * execs once built) runs until the mesh is Healthy and waits for Ctrl-C; SIGINT then stops it, and
 * afterwards no process mentions its directory and the directory is gone.
 */
class DemoE2ETest {
  static final Duration HEALTHY_WITHIN = Duration.ofMinutes(5);

  @Test
  @DisplayName("the demo reaches Healthy (status table printed), and after Ctrl-C exits 0 leaving no process and no directory behind")
  void demoRunsAndCleansUp() throws Exception {
    Path launcher = Checkout.launcher("demo", "meshfed-demo", "meshfed-demo");
    Path output = Checkout.logs().resolve("demo.out");
    Files.deleteIfExists(output);
    Process demo = new ProcessBuilder(launcher.toString()).redirectErrorStream(true).redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    List<ProcessHandle> started = new ArrayList<>();
    Path dir = null;
    try {
      await().atMost(HEALTHY_WITHIN).pollInterval(Duration.ofSeconds(1))
          .until(() -> !demo.isAlive() || read(output).contains("the mesh runs until Ctrl-C"));
      String text = read(output);
      assertThat(demo.isAlive()).as("the demo ended early:\n" + text).isTrue();
      Matcher m = Pattern.compile("(?m)^DEMO=(\\S+)").matcher(text);
      assertThat(m.find()).as(text).isTrue();
      dir = Path.of(m.group(1));

      assertThat(text).contains("[1/12] find etcd").contains("[12/12] the mesh as the CLI shows it")
          .contains("mesh: Healthy (3 members").containsPattern("CLUSTER +STATUS +AGENT +CILIUM")
          .containsPattern("(?m)^c1 +Healthy +ok").containsPattern("(?m)^c2 +Healthy +ok").containsPattern("(?m)^c3 +Healthy +ok")
          .contains("c1(").contains("c3(").contains("API: https://localhost:");
      // Every member joined through the real flow, each printed as the CLI prints it.
      assertThat(text).contains("joined c1 (ID 1)").contains("joined c2 (ID 2)").contains("joined c3 (ID 3)");

      started.addAll(demo.toHandle().descendants().toList());
      // etcd, 3 simulated clusters, the controller, 3 agents (launcher scripts exec their JVMs).
      assertThat(started).hasSizeGreaterThanOrEqualTo(8);
      assertThat(processesMentioning(dir)).isNotEmpty();

      // Ctrl-C.
      assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor()).isZero();
      assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as("the demo still runs 2 minutes after SIGINT").isTrue();
      text = read(output);
      assertThat(demo.exitValue()).as(text).isZero();
      assertThat(text).contains("stopped 8 processes, removed " + dir);
      for (ProcessHandle h : started) {
        assertThat(h.isAlive()).as("process " + h.pid() + " " + h.info().commandLine().orElse("") + " still runs").isFalse();
      }
      assertThat(processesMentioning(dir)).isEmpty();
      assertThat(dir).doesNotExist();
    } finally {
      if (demo.isAlive()) {
        demo.descendants().forEach(ProcessHandle::destroyForcibly);
        demo.destroyForcibly();
      }
      started.forEach(ProcessHandle::destroyForcibly);
    }
  }

  static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** pid and command line of every process whose command line contains {@code dir} (from /proc). */
  static List<String> processesMentioning(Path dir) throws IOException {
    String needle = dir.toString();
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmdline.contains(needle)) {
            found.add(p.getFileName() + " " + cmdline);
          }
        } catch (IOException e) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }
}
