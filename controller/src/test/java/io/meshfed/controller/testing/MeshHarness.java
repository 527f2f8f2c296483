package io.meshfed.controller.testing;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.Passphrase;
import io.meshfed.certs.Pem;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.config.CliConfig;
import io.meshfed.controller.config.ControllerConfig;
import io.meshfed.controller.config.YamlFiles;
import io.meshfed.controller.runtime.Controller;
import io.meshfed.testkit.etcd.EtcdTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A bootstrapped mesh for controller tests: the mesh CA (which etcd trusts), a real etcd with TLS
 * and client-cert auth, {@code meshfed bootstrap} run through the real CLI, and an in-process
 * controller on a free port with a CLI config that points at it.
 */
public final class MeshHarness implements AutoCloseable {
  public static final String PASSPHRASE = "harness passphrase, long enough";
  public static final Map<String, String> ENV = Map.of("MESHFED_CA_PASSPHRASE", PASSPHRASE);

  public final Path dir;
  public final TestMesh mesh;
  public final Path out;
  private Controller controller;
  private Path cliConfig;

  private MeshHarness(Path dir) {
    this.dir = dir;
    this.mesh = TestMesh.create(dir.resolve("etcd-tls"), "test");
    this.out = dir.resolve("bootstrap");
  }

  /** Step 1, before etcd starts: the mesh CA and etcd's TLS files. */
  public static MeshHarness prepare(Path dir) {
    return new MeshHarness(dir);
  }

  public EtcdTls etcdTls() {
    return mesh.etcdTls();
  }

  public static Passphrase passphrase() {
    return Passphrase.of("test", PASSPHRASE.toCharArray());
  }

  /** The bootstrap command line for these etcd endpoints (the test runs it, or a variant). */
  public String[] bootstrapArgs(List<String> etcdEndpoints) {
    try {
      Path caDir = dir.resolve("ca");
      if (!Files.exists(caDir)) {
        new CaDirectory(caDir, passphrase()).init(mesh.pki, false, Clock.systemUTC());
      }
      Path root = dir.resolve("etcd-root");
      Files.createDirectories(root);
      Files.writeString(root.resolve("root.crt"), Pem.encodeCertificates(mesh.etcdRoot.certificateAndChain()));
      Files.writeString(root.resolve("root.key"), Pem.encodePrivateKeyInMemory(mesh.etcdRoot.privateKey()));
      Files.writeString(root.resolve("etcd-ca.pem"), mesh.bundle().toPem());
      return new String[] {"bootstrap", "--mesh", "test", "--etcd", String.join(",", etcdEndpoints),
          "--etcd-ca", root.resolve("etcd-ca.pem").toString(), "--etcd-cert", root.resolve("root.crt").toString(),
          "--etcd-key", root.resolve("root.key").toString(), "--ca-dir", caDir.toString(), "--out", out.toString()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public CliRunner.Result bootstrap(List<String> etcdEndpoints) {
    return new CliRunner(ENV).run(bootstrapArgs(etcdEndpoints));
  }

  /** Starts the controller on a free port and writes a CLI config pointing at it. */
  public Controller startController() throws Exception {
    return startController(Map.of());
  }

  /** As {@link #startController()}, with extra environment for the configuration (e.g. cacheTTL). */
  public Controller startController(Map<String, String> extraEnv) throws Exception {
    controller = startReplica(extraEnv);
    CliConfig original = CliConfig.load(out.resolve("meshfed.yaml"));
    cliConfig = dir.resolve("meshfed-test.yaml");
    YamlFiles.write(cliConfig, new CliConfig(url(), original.trustedCaFile(), original.certFile(), original.keyFile()));
    return controller;
  }

  /**
   * Starts one more controller replica on a free port against the same etcd (the caller closes
   * it); the CLI config keeps pointing at the controller of {@link #startController}.
   */
  public Controller startReplica(Map<String, String> extraEnv) throws Exception {
    // A one-second leave grace instead of KVStoreMesh's three minutes, so tests see the data go.
    // Rate limits off unless a test turns them on: tests join and create tokens faster than people do.
    java.util.Map<String, String> env = new java.util.HashMap<>(Map.of("MESHFED_LEAVE_GRACE_SECONDS", "1", "MESHFED_GRPC_PORT", "0",
        "MESHFED_JOIN_RATE_PER_MINUTE", "0", "MESHFED_TOKEN_RATE_PER_MINUTE", "0"));
    env.putAll(extraEnv);
    ControllerConfig cfg = ControllerConfig.load(out.resolve("controller.yaml"), env, "127.0.0.1:0", null);
    return Controller.start(cfg, passphrase(), Clock.systemUTC());
  }

  /** Points the CLI config at a controller on {@code port} (in-process or a separate JVM). */
  public void useControllerAt(int port) throws java.io.IOException {
    CliConfig original = CliConfig.load(out.resolve("meshfed.yaml"));
    cliConfig = dir.resolve("meshfed-test.yaml");
    YamlFiles.write(cliConfig, new CliConfig("https://localhost:" + port, original.trustedCaFile(), original.certFile(), original.keyFile()));
    externalPort = port;
  }

  private int externalPort;

  /** Starts the controller as its own JVM (for kill tests); the CLI config follows it. */
  public ControllerProcess startControllerProcess(Map<String, String> extraEnv) throws java.io.IOException {
    return startControllerProcess(extraEnv, 0);
  }

  /** As {@link #startControllerProcess(Map)} on HTTPS port {@code port} (a killed controller's, for its clients). */
  public ControllerProcess startControllerProcess(Map<String, String> extraEnv, int port) throws java.io.IOException {
    java.util.Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("MESHFED_LEAVE_GRACE_SECONDS", "1");
    env.put("MESHFED_GRPC_PORT", "0");
    env.put("MESHFED_JOIN_RATE_PER_MINUTE", "0");
    env.put("MESHFED_TOKEN_RATE_PER_MINUTE", "0");
    env.putAll(extraEnv);
    ControllerProcess p = ControllerProcess.start(out.resolve("controller.yaml"), env, Path.of(System.getProperty("meshfed.test.controllerLog", dir.resolve("controller-process.log").toString())), port);
    useControllerAt(p.port());
    return p;
  }

  /**
   * Joins a simulated cluster through the real CLI with a fresh single-use token and {@code extra}
   * join options; returns the result.
   */
  public CliRunner.Result join(io.meshfed.testkit.simcluster.SimulatedClusters sims, String name, int id, String... extra) throws java.io.IOException {
    return join(sims.cluster(name).kubeconfig(), name, id, extra);
  }

  /** As {@link #join(io.meshfed.testkit.simcluster.SimulatedClusters, String, int, String...)} through {@code kubeconfig}. */
  public CliRunner.Result join(Path kubeconfig, String name, int id, String... extra) throws java.io.IOException {
    var created = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli().run("token", "create", "-o", "json").out());
    List<String> args = new java.util.ArrayList<>(List.of("join", "--controller", url(), "--token", created.get("token").asText(),
        "--ca-hash", created.get("caHash").asText(), "--kubeconfig", kubeconfig.toString(),
        "--cluster-name", name, "--cluster-id", String.valueOf(id)));
    args.addAll(List.of(extra));
    return new CliRunner(ENV).run(args.toArray(String[]::new));
  }

  /**
   * Bootstraps, starts the controller with {@code extraEnv} and joins simulated members named
   * {@code members} (cluster IDs 1, 2, ...) through the real CLI; the caller closes the clusters.
   */
  public io.meshfed.testkit.simcluster.SimulatedClusters startWithMembers(List<String> etcdEndpoints, Map<String, String> extraEnv, String... members)
      throws Exception {
    CliRunner.Result boot = bootstrap(etcdEndpoints);
    if (boot.exit() != 0) {
      throw new IllegalStateException("bootstrap failed: " + boot);
    }
    startController(extraEnv);
    var builder = io.meshfed.testkit.simcluster.SimulatedClusters.builder();
    for (int i = 0; i < members.length; i++) {
      builder.cluster(members[i], i + 1);
    }
    var sims = builder.start();
    for (int i = 0; i < members.length; i++) {
      CliRunner.Result r = join(sims, members[i], i + 1);
      if (r.exit() != 0) {
        sims.close();
        throw new IllegalStateException("join of " + members[i] + " failed: " + r);
      }
    }
    return sims;
  }

  /** The in-process controller started by {@link #startController()}. */
  public Controller controller() {
    return controller;
  }

  /** An admin API client for the running controller (close it). */
  public io.meshfed.controller.cli.ApiClient api() throws java.io.IOException {
    return io.meshfed.controller.cli.ApiClient.admin(CliConfig.load(cliConfig), passphrase());
  }

  public void stopController() {
    if (controller != null) {
      controller.close();
      controller = null;
    }
  }

  public String url() {
    return "https://localhost:" + (controller != null ? controller.port() : externalPort);
  }

  /** The CLI with MESHFED_CONFIG pointing at the running controller. */
  public CliRunner cli() {
    return new CliRunner(Map.of("MESHFED_CA_PASSPHRASE", PASSPHRASE, "MESHFED_CONFIG", cliConfig.toString()));
  }

  @Override
  public void close() {
    stopController();
  }

  /**
   * For {@code @AfterAll}: closes each of {@code resources} that is not null (set-up may have
   * failed half-way), in order, every one even when one before it fails; then throws the first failure.
   */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable r : resources) {
      try {
        if (r != null) {
          r.close();
        }
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
