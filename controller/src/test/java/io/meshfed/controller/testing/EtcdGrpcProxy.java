package io.meshfed.controller.testing;

import static org.awaitility.Awaitility.await;

import io.meshfed.testkit.etcd.EtcdBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@code etcd grpc-proxy start} process on a free loopback port, fed with the two Secrets
 * the controller writes for a proxied member (upstream and server, each {@code ca.crt},
 * {@code tls.crt}, {@code tls.key}) exactly as the agent chart mounts them. Closing it kills the
 * process and waits for it; a JVM that exits first kills it from a shutdown hook.
 */
public final class EtcdGrpcProxy implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;
  private final Thread reaper;

  private EtcdGrpcProxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.reaper = new Thread(process::destroyForcibly, "etcd-grpc-proxy-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** The etcd executable, or empty when there is none (the caller skips with this message). */
  public static Optional<String> missingBinary() {
    try {
      EtcdBinary.locate();
      return Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Starts the proxy in {@code dir} and waits until it accepts connections.
   *
   * @param upstreamEndpoints the mesh etcd (https URLs)
   * @param upstream the upstream Secret's data, as the member holds it
   * @param server the server Secret's data
   */
  public static EtcdGrpcProxy start(Path dir, List<String> upstreamEndpoints, Map<String, byte[]> upstream, Map<String, byte[]> server) {
    try {
      Path up = write(dir.resolve("upstream"), upstream);
      Path srv = write(dir.resolve("server"), server);
      int port = freeLoopbackPort();
      Path log = dir.resolve("grpc-proxy.log");
      // The flags the agent chart renders (helm/meshfed-agent/templates/etcd-proxy.yaml), on loopback.
      ProcessBuilder pb = new ProcessBuilder(EtcdBinary.locate().path().toString(), "grpc-proxy", "start",
          "--endpoints=" + String.join(",", upstreamEndpoints),
          "--listen-addr=127.0.0.1:" + port,
          "--cacert=" + up.resolve("ca.crt"), "--cert=" + up.resolve("tls.crt"), "--key=" + up.resolve("tls.key"),
          "--trusted-ca-file=" + srv.resolve("ca.crt"), "--cert-file=" + srv.resolve("tls.crt"), "--key-file=" + srv.resolve("tls.key"),
          "--data-dir=" + dir.resolve("data"))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      EtcdGrpcProxy proxy = new EtcdGrpcProxy(pb.start(), port, log);
      try {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
          if (!proxy.process.isAlive()) {
            throw new IllegalStateException("etcd grpc-proxy exited with " + proxy.process.exitValue() + ": " + proxy.log());
          }
          return accepts(port);
        });
      } catch (RuntimeException e) {
        proxy.close();
        throw e;
      }
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where clients dial it: {@code https://127.0.0.1:<port>}. */
  public String endpoint() {
    return "https://127.0.0.1:" + port;
  }

  /** What the process printed so far (for assertion messages). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private static Path write(Path dir, Map<String, byte[]> data) throws IOException {
    Files.createDirectories(dir);
    for (String key : List.of("ca.crt", "tls.crt", "tls.key")) {
      byte[] value = data.get(key);
      if (value == null) {
        throw new IllegalStateException("Secret data has no " + key + " (keys: " + data.keySet() + ")");
      }
      Files.write(dir.resolve(key), value);
    }
    return dir;
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }
}
