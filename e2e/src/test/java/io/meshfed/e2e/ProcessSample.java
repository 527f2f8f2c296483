package io.meshfed.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a long run watches in the controller process, read from {@code /proc} (Linux) and the JDK's
 * {@code jcmd}: resident memory, threads, open file descriptors and the live heap (used heap right
 * after a full collection, so it measures what is retained, not what is garbage yet).
 *
 * @param elapsed  since the run started
 * @param round    rounds done
 * @param members  members joined at the time
 * @param rssKb    VmRSS
 * @param threads  the process's threads
 * @param fds      open file descriptors
 * @param liveHeapKb used heap after {@code GC.run}
 */
record ProcessSample(Duration elapsed, int round, int members, long rssKb, int threads, int fds, long liveHeapKb) {
  /**
   * Slack over the first quarter's highest count before growth counts as a leak: members join and
   * leave during the run (each member's client has a few threads and sockets), so some movement is
   * normal; one leaked thread or socket per round would pass it within a few dozen rounds.
   */
  static final int THREAD_SLACK = 24;
  static final int FD_SLACK = 64;

  static ProcessSample of(long pid, Duration elapsed, int round, int members) {
    Path proc = Path.of("/proc", String.valueOf(pid));
    try {
      long rss = 0;
      int threads = 0;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
      }
      int fds;
      try (Stream<Path> open = Files.list(proc.resolve("fd"))) {
        fds = (int) open.count();
      }
      return new ProcessSample(elapsed, round, members, rss, threads, fds, liveHeapKb(pid));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc of the controller " + pid, e);
    }
  }

  /** {@code jcmd GC.run}, then the heap's used total from {@code GC.heap_info} (every collector prints "used NNNK"). */
  static long liveHeapKb(long pid) throws IOException {
    jcmd(pid, "GC.run");
    long used = 0;
    for (String line : jcmd(pid, "GC.heap_info")) {
      // Serial and Parallel print a "total ..., used ..." line per generation, G1 one for the whole
      // heap; their sub-spaces (eden, from, to) print percentages and Metaspace no "total".
      String t = line.trim();
      if (t.contains(" used ") && t.contains("total") && !t.startsWith("Metaspace") && !t.startsWith("class space")
          && !t.startsWith("eden") && !t.startsWith("from") && !t.startsWith("to")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(t);
        if (m.find()) {
          used += Long.parseLong(m.group(1));
        }
      }
    }
    return used;
  }

  private static List<String> jcmd(long pid, String command) throws IOException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
    try {
      List<String> out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for jcmd", e);
    }
  }

  /** Threads and descriptors of the last quarter stay within the first quarter's highest count plus slack. */
  static void assertBounded(List<ProcessSample> samples) {
    if (samples.size() < 8) {
      return;
    }
    int quarter = samples.size() / 4;
    List<ProcessSample> first = samples.subList(0, quarter);
    List<ProcessSample> last = samples.subList(samples.size() - quarter, samples.size());
    int threadCeiling = first.stream().mapToInt(ProcessSample::threads).max().orElseThrow() + THREAD_SLACK;
    int fdCeiling = first.stream().mapToInt(ProcessSample::fds).max().orElseThrow() + FD_SLACK;
    assertThat(last).as("threads of the last quarter (first quarter's highest + " + THREAD_SLACK + ")")
        .allSatisfy(s -> assertThat(s.threads()).isLessThanOrEqualTo(threadCeiling));
    assertThat(last).as("file descriptors of the last quarter (first quarter's highest + " + FD_SLACK + ")")
        .allSatisfy(s -> assertThat(s.fds()).isLessThanOrEqualTo(fdCeiling));
  }

  @Override
  public String toString() {
    return "elapsedS=" + elapsed.toSeconds() + " round=" + round + " members=" + members + " rssKb=" + rssKb + " threads=" + threads
        + " fds=" + fds + " liveHeapKb=" + liveHeapKb;
  }
}
