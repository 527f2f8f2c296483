package io.meshfed.controller.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The controller as a real separate JVM started the way the launcher starts it (approved-only
 * FIPS, the same classpath), for tests that kill it. The port is read from its one stdout line.
 */
public final class ControllerProcess implements AutoCloseable {
  private static final Map<Long, Integer> grpcPorts = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Pattern LISTENING = Pattern.compile("meshfed controller listening on https://[^:]+:(\\d+)(?:, agents \\(gRPC\\) on [^:]+:(\\d+))?");
  private final Process process;
  private final int port;
  private volatile int grpcPort;
  private final StringBuffer output = new StringBuffer();

  private ControllerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static ControllerProcess start(Path config, Map<String, String> env, Path log) throws IOException {
    return start(config, env, log, 0);
  }

  /**
   * As {@link #start(Path, Map, Path)} on HTTPS port {@code listenPort} (0: any free port): a
   * restart on the port of a killed controller, where its clients (a join waiting for its outcome)
   * find it again.
   */
  public static ControllerProcess start(Path config, Map<String, String> env, Path log, int listenPort) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dorg.bouncycastle.fips.approved_only=true");
    // As the launcher (bin/meshfed): extra JVM options from MESHFED_JAVA_OPTS, split on blanks.
    String javaOpts = env.getOrDefault("MESHFED_JAVA_OPTS", "").trim();
    if (!javaOpts.isEmpty()) {
      cmd.addAll(List.of(javaOpts.split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.meshfed.controller.cli.Main");
    cmd.addAll(List.of("controller", "--config", config.toString(), "--listen", "127.0.0.1:" + listenPort));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    ControllerProcess[] self = new ControllerProcess[1];
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            if (m.group(2) != null) {
              grpcPorts.put(p.pid(), Integer.parseInt(m.group(2)));
            }
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // the process died; the port future fails below
      }
      port.completeExceptionally(new IllegalStateException("controller exited before listening; see " + log));
    }, "controller-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      self[0] = new ControllerProcess(p, port.get(90, TimeUnit.SECONDS));
      self[0].grpcPort = grpcPorts.getOrDefault(p.pid(), 0);
      return self[0];
    } catch (Exception e) {
      p.destroyForcibly();
      String tail = "";
      try {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException ignored) {
        // no log yet
      }
      throw new IOException("controller did not start: " + e.getMessage() + "\n" + tail, e);
    }
  }

  public int port() {
    return port;
  }

  /** The port agents stream health to. */
  public int grpcPort() {
    return grpcPort;
  }

  public long pid() {
    return process.pid();
  }

  public String url() {
    return "https://localhost:" + port;
  }

  /** Waits for the process to end by itself (e.g. at a crash point) and returns its exit code. */
  public int waitForExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("controller still running after " + seconds + " s");
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
