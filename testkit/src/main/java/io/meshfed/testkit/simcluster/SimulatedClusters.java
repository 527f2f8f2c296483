package io.meshfed.testkit.simcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Simulated clusters for tests and demos: starts one simcluster launcher JVM per simulated cluster
 * (each serving one fabric8 KubernetesMockServer on its own port, seeded like a Cilium cluster), so
 * a member's load, lock contention or crash never touches another, as with real clusters. Waits
 * until every one reports ready, and kills them and deletes their files on close.
 *
 * <pre>{@code
 * try (SimulatedClusters clusters = SimulatedClusters.builder()
 *     .cluster("c1", 1).cluster("c2", 2).nodes(3).identities(10)
 *     .user("viewer", UserProfile.READONLY).start()) {
 *   Path kubeconfig = clusters.cluster("c1").kubeconfig();          // user admin: allowed everything
 *   Path viewer = clusters.cluster("c1").kubeconfig("viewer");      // get, list, watch only
 *   clusters.stop("c2");   // c2's port is closed: it looks like a cluster that is down
 *   clusters.start("c2");  // back on the same port with the same data
 *   clusters.expireServiceAccountTokens("c1");  // every TokenRequest token of c1 is now expired
 * }
 * }</pre>
 *
 * <p>Each simulated cluster authenticates bearer tokens and authorizes like an API server with
 * RBAC (the RBAC objects stored in it, TokenRequest, SelfSubjectAccessReview); see
 * simcluster/README.md for what it checks and where it differs from a real API server.
 */
public final class SimulatedClusters implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration GRACEFUL_EXIT = Duration.ofSeconds(10);
  /** How long one wait for ready.json lasts; the wait also ends at once if the launcher exits. */
  private static final long READY_POLL_MILLIS = 50;
  private static final int LOG_TAIL_LINES = 40;

  private final Path workDir;
  private final Map<String, Launcher> launchers = new LinkedHashMap<>();
  private final Thread reaper;
  private final Map<String, SimulatedCluster> clusters = new LinkedHashMap<>();
  private boolean closed;

  /** One launcher JVM, the one simulated cluster it serves, and its folder. */
  private record Launcher(String cluster, Process process, Path dir, ControlChannel control) {
    Path logFile() {
      return dir.resolve(Builder.LOG_FILE);
    }
  }

  private SimulatedClusters(Path workDir) {
    this.workDir = workDir;
    // If the test JVM ends without close(), no launcher may outlive it.
    this.reaper = new Thread(this::killAll, "simcluster-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every simulated cluster, in the order they were declared. */
  public List<SimulatedCluster> clusters() {
    return List.copyOf(clusters.values());
  }

  public SimulatedCluster cluster(String name) {
    SimulatedCluster cluster = clusters.get(name);
    if (cluster == null) {
      throw new NoSuchElementException("no simulated cluster named '" + name + "' (known: " + clusters.keySet() + ")");
    }
    return cluster;
  }

  /**
   * Makes a simulated cluster unreachable: its port is closed, clients get "connection refused".
   * Its data is kept for {@link #start(String)}. Returns once the port is closed.
   */
  public void stop(String name) {
    launcher(name).control().send("stop " + cluster(name).name(), COMMAND_TIMEOUT);
  }

  /** Brings a stopped simulated cluster back, on the same port, with its data. Returns once it listens. */
  public void start(String name) {
    SimulatedCluster cluster = cluster(name);
    String reply = launcher(name).control().send("start " + name, COMMAND_TIMEOUT);
    String expected = "start " + name + " " + cluster.port();
    if (!reply.equals(expected)) {
      throw new IllegalStateException("simulated cluster " + name + " came back as '" + reply + "', expected '"
          + expected + "'");
    }
  }

  /**
   * Makes every ServiceAccount token the simulated cluster issued through the TokenRequest API
   * expire now (clients using one get 401), so a test can prove that tokens are renewed without
   * waiting for them to expire. Tokens requested afterwards work.
   *
   * @return how many issued tokens were still valid
   */
  public int expireServiceAccountTokens(String name) {
    SimulatedCluster cluster = cluster(name);
    String reply = launcher(name).control().send("expire-tokens " + cluster.name(), COMMAND_TIMEOUT);
    String prefix = "expire-tokens " + cluster.name() + " ";
    if (!reply.startsWith(prefix)) {
      throw new IllegalStateException("unexpected reply to expire-tokens " + name + ": '" + reply + "'");
    }
    return Integer.parseInt(reply.substring(prefix.length()).trim());
  }

  /** The process id of the JVM serving {@code name} (for tests that kill it). */
  public long pid(String name) {
    return launcher(name).process().pid();
  }

  /** The folder with one sub-folder per simulated cluster (kubeconfigs, ready.json, log); deleted on close. */
  public Path workDir() {
    return workDir;
  }

  /** The log (stderr) of the launcher serving {@code name}. */
  public Path logFile(String name) {
    return launcher(name).logFile();
  }

  private Launcher launcher(String name) {
    cluster(name);
    return launchers.get(name);
  }

  /** Stops every launcher (gracefully, then by force, with any process it started) and deletes workDir. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      launchers.values().forEach(l -> l.control().closeStdin());
      long deadline = System.nanoTime() + GRACEFUL_EXIT.toNanos();
      for (Launcher l : launchers.values()) {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!l.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          kill(l.process());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killAll();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook runs anyway.
      }
      deleteRecursively(workDir);
    }
  }

  private void killAll() {
    launchers.values().forEach(l -> kill(l.process()));
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(GRACEFUL_EXIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for each launcher's ready.json, polling; fails early, with its log, if one exits. */
  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Launcher l : launchers.values()) {
      Path readyFile = l.dir().resolve(ReadyFile.NAME);
      while (!Files.exists(readyFile)) {
        if (!l.process().isAlive()) {
          throw new IllegalStateException("simulated-cluster launcher of " + l.cluster() + " exited with code "
              + l.process().exitValue() + " before it was ready; its log ends with:\n" + logTail(l));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("simulated cluster " + l.cluster() + " not ready within " + timeout
              + " (raise SimulatedClusters.builder().readyTimeout(...) for big seeds); its launcher's log ends with:\n"
              + logTail(l));
        }
        // Doubles as the poll interval and as a wake-up when the launcher dies.
        l.process().waitFor(READY_POLL_MILLIS, TimeUnit.MILLISECONDS);
      }
      for (SimulatedCluster cluster : ReadyFile.read(readyFile)) {
        clusters.put(cluster.name(), cluster);
      }
    }
  }

  private String logTails() {
    StringBuilder out = new StringBuilder();
    launchers.values().forEach(l -> out.append("[").append(l.cluster()).append("]\n").append(logTail(l)).append('\n'));
    return out.toString();
  }

  private static String logTail(Launcher l) {
    try {
      List<String> lines = Files.readAllLines(l.logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
          Files.deleteIfExists(directory);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Declares the simulated clusters and what each is seeded with; the launcher checks the values. */
  public static final class Builder {

    static final String MAIN_CLASS = "io.meshfed.simcluster.SimulatedClustersMain";
    static final String LOG_FILE = "simcluster.log";

    /** Per simulated cluster, in declaration order: its name and its --cluster value. */
    private final Map<String, String> clusterArguments = new LinkedHashMap<>();
    private final java.util.Set<Integer> ids = new java.util.HashSet<>();
    private final List<String> userArguments = new ArrayList<>();
    private final List<String> seedArguments = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Path simclusterHome;
    private Duration readyTimeout = Duration.ofMinutes(2);

    private Builder() {
    }

    /** A simulated cluster on any free loopback port. */
    public Builder cluster(String name, int id) {
      return cluster(name, id, 0);
    }

    /** A simulated cluster on a given loopback port (0 = any free port). */
    public Builder cluster(String name, int id, int port) {
      Objects.requireNonNull(name, "name");
      // Each launcher sees one cluster, so the uniqueness it checked across clusters is checked here.
      if (clusterArguments.containsKey(name)) {
        throw new IllegalArgumentException("simulated cluster '" + name + "' declared twice");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException("cluster id " + id + " declared twice (simulated cluster '" + name + "')");
      }
      clusterArguments.put(name, "name=" + name + ",id=" + id + ",port=" + port);
      return this;
    }

    /**
     * An extra user in every simulated cluster, besides the built-in {@code admin}: its own random
     * token per simulated cluster, in {@link SimulatedCluster#kubeconfig(String)}. The name is a
     * DNS label other than {@code admin}; the launcher checks it.
     */
    public Builder user(String name, UserProfile profile) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(profile, "profile");
      userArguments.add("--user");
      userArguments.add("name=" + name + ",profile=" + profile.flagValue());
      return this;
    }

    /** Nodes (and CiliumNodes) per simulated cluster; default 3. */
    public Builder nodes(int nodes) {
      return seed("--nodes", nodes);
    }

    /** CiliumIdentities per simulated cluster; default 10. */
    public Builder identities(int identities) {
      return seed("--identities", identities);
    }

    /** CiliumEndpoints per simulated cluster; default 20. */
    public Builder endpoints(int endpoints) {
      return seed("--endpoints", endpoints);
    }

    /** Global services per simulated cluster (one local service is always added); default 3. */
    public Builder services(int services) {
      return seed("--services", services);
    }

    /** Workload namespaces ns-0.. the identities are spread over; default 2. */
    public Builder namespaces(int namespaces) {
      return seed("--namespaces", namespaces);
    }

    /** 255 (default) or 511: the limit for cluster IDs and the identity bit layout. */
    public Builder maxConnectedClusters(int maxConnectedClusters) {
      return seed("--max-connected-clusters", maxConnectedClusters);
    }

    /** Register Cilium's own CRD YAML files from this folder instead of minimal built-in CRDs. */
    public Builder crdDir(Path crdDir) {
      seedArguments.add("--crd-dir");
      seedArguments.add(crdDir.toAbsolutePath().toString());
      return this;
    }

    /** An option for the launcher's JVM, such as {@code -Xmx2g} for big seeds. */
    public Builder jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    /** How long to wait for every simulated cluster to be seeded and listening; default 2 minutes. */
    public Builder readyTimeout(Duration readyTimeout) {
      this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout");
      return this;
    }

    /** The simcluster module (or its target folder); default: system property, then a search upwards. */
    public Builder simclusterHome(Path simclusterHome) {
      this.simclusterHome = simclusterHome;
      return this;
    }

    /**
     * Launches the simulated clusters and returns once all are seeded and listening.
     *
     * @throws IllegalStateException if the launcher is not built, exits, or is not ready in time;
     *     the message carries the end of its log
     */
    public SimulatedClusters start() {
      if (clusterArguments.isEmpty()) {
        throw new IllegalStateException("declare at least one simulated cluster with cluster(name, id)");
      }
      SimclusterInstallation installation = SimclusterInstallation.locate(simclusterHome);
      Path workDir;
      try {
        workDir = Files.createTempDirectory("meshfed-simclusters-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a folder for the simulated clusters", e);
      }
      SimulatedClusters clusters = new SimulatedClusters(workDir);
      try {
        // All launchers start at once; their JVM start-up and seeding overlap.
        for (Map.Entry<String, String> cluster : clusterArguments.entrySet()) {
          clusters.launchers.put(cluster.getKey(), launch(installation, workDir, cluster.getKey(), cluster.getValue()));
        }
        clusters.awaitReady(readyTimeout);
        return clusters;
      } catch (IOException | RuntimeException e) {
        String log = clusters.logTails();
        clusters.close();
        if (e instanceof IllegalStateException) {
          throw (IllegalStateException) e;
        }
        throw new IllegalStateException("cannot start the simulated clusters: " + e.getMessage() + "; launcher logs:\n" + log, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clusters.close();
        throw new IllegalStateException("interrupted while waiting for the simulated clusters", e);
      }
    }

    private Launcher launch(SimclusterInstallation installation, Path workDir, String name, String clusterArgument)
        throws IOException {
      Path dir = Files.createDirectories(workDir.resolve(name));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(installation.classpath());
      command.add(MAIN_CLASS);
      command.add("--cluster");
      command.add(clusterArgument);
      command.addAll(userArguments);
      command.addAll(seedArguments);
      command.add("--out");
      command.add(dir.toString());
      Process process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectError(dir.resolve(LOG_FILE).toFile())
          .start();
      return new Launcher(name, process, dir, new ControlChannel(process));
    }

    private Builder seed(String flag, int value) {
      seedArguments.add(flag);
      seedArguments.add(String.valueOf(value));
      return this;
    }
  }
}
