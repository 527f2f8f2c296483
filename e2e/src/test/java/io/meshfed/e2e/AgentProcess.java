package io.meshfed.e2e;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.member.MemberConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A meshfed agent as its own JVM, started through its product launcher
 * (agent/target/meshfed-agent/bin/meshfed-agent), with the certificate join wrote into the member
 * (Secret meshfed-system/meshfed-agent-tls, copied to a cert dir as a pod would mount it) and the
 * member's kubeconfig.
 */
final class AgentProcess implements AutoCloseable {
  private final String cluster;
  private final Process process;
  private final Path log;

  private AgentProcess(String cluster, Process process, Path log) {
    this.cluster = cluster;
    this.process = process;
    this.log = log;
  }

  static AgentProcess start(String cluster, int grpcPort, Path kubeconfig, Path certDir, Path log) throws IOException {
    writeCertificates(kubeconfig, certDir);
    List<String> cmd = List.of(Checkout.launcher("agent", "meshfed-agent", "meshfed-agent").toString(), "--controller", "127.0.0.1:" + grpcPort,
        "--cert-dir", certDir.toString(), "--kubeconfig", kubeconfig.toString(), "--interval", "2");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("MESHFED_JAVA_OPTS", "-Djava.io.tmpdir=" + certDir.getParent());
    return new AgentProcess(cluster, pb.start(), log);
  }

  /** Secret meshfed-system/meshfed-agent-tls of the member -> certDir/{ca.crt,tls.crt,tls.key}, 0600. */
  static void writeCertificates(Path kubeconfig, Path certDir) throws IOException {
    Secret s;
    try (KubernetesClient k = MemberConnection.fromKubeconfig(kubeconfig, null)) {
      s = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
    }
    if (s == null) {
      throw new IllegalStateException("no Secret meshfed-system/meshfed-agent-tls in " + kubeconfig);
    }
    Files.createDirectories(certDir);
    for (String f : List.of("ca.crt", "tls.crt", "tls.key")) {
      Path file = certDir.resolve(f);
      Files.write(file, Base64.getDecoder().decode(s.getData().get(f)));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  String cluster() {
    return cluster;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** SIGKILL: the agent gets no chance to say goodbye. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
