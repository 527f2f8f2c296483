package io.meshfed.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.controller.cli.Main;
import io.meshfed.controller.config.CliConfig;
import io.meshfed.controller.config.YamlFiles;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.etcd.EtcdTls;
import io.meshfed.testkit.simcluster.SimulatedCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./meshfed demo}: a whole mesh on this machine, step by step, each step printed with the
 * command it runs. Real etcd (TLS, client certificates), the controller in its own JVM, three
 * simulated member clusters (each its own JVM, seeded like a Cilium cluster), the real bootstrap,
 * token and join flow, the example policies, one agent per member (own JVMs), then {@code meshfed
 * status --wait}. Runs until Ctrl-C (or, with {@code --exit-when-healthy}, stops as soon as the mesh
 * is Healthy), then stops every process it started and removes its directory.
 *
 * <p>The CLI steps run the real {@code meshfed} CLI in this JVM (same code as the launcher); the
 * controller and the agents run through their product launchers. Exit codes: 0 done (also after
 * Ctrl-C, once everything is stopped), 1 a step failed, 2 bad arguments or etcd not installed.
 */
public final class DemoMain {
  static final String ETCD_MISSING = "etcd not found: sudo apt-get install -y etcd-server";
  static final List<String> MEMBERS = List.of("c1", "c2", "c3");
  private static final int STEPS = 12;
  private static final Pattern LISTENING = Pattern.compile(
      "meshfed controller listening on https://[^:]+:(\\d+), agents \\(gRPC\\) on [^:]+:(\\d+)");
  private static final Duration READY = Duration.ofMinutes(2);

  private final PrintStream out;
  private final Path dir;
  private final Path repo;
  private final Map<String, String> env = new HashMap<>();
  private final ObjectMapper json = new ObjectMapper();
  private final boolean exitWhenHealthy;
  private final boolean keep;

  // What was started, in order; stopAll() stops it in reverse.
  private final List<Child> agents = new ArrayList<>();
  private EtcdCluster etcd;
  private SimulatedClusters sims;
  private CompletableFuture<SimulatedClusters> simsStarting;
  private Child controller;
  private boolean stopping;
  private boolean stopped;
  private int step;
  private final long startedAt = System.nanoTime();
  /** BCJSSE logs through java.util.logging; its start-up notices are not for the demo's reader. Kept strongly reachable. */
  private static final java.util.logging.Logger BCJSSE_LOG = java.util.logging.Logger.getLogger("org.bouncycastle.jsse");
  private String stopSummary;

  private DemoMain(PrintStream out, Path dir, Path repo, boolean exitWhenHealthy, boolean keep) {
    this.out = out;
    this.dir = dir;
    this.repo = repo;
    this.exitWhenHealthy = exitWhenHealthy;
    this.keep = keep;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    boolean exitWhenHealthy = false;
    boolean keep = false;
    for (String a : args) {
      switch (a) {
        case "--exit-when-healthy" -> exitWhenHealthy = true;
        case "--keep" -> keep = true;
        case "--pki" -> {
          // The PKI walk-through of `meshfed demo --pki`, for those who want only that.
          int rc = Main.run(new String[] {"demo", "--pki"}, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv());
          deleteLauncherDir();
          return rc;
        }
        case "-h", "--help" -> {
          System.out.print(usage());
          deleteLauncherDir();
          return 0;
        }
        default -> {
          System.err.println("meshfed demo: unknown argument " + a + "\n" + usage());
          deleteLauncherDir();
          return 2;
        }
      }
    }
    BCJSSE_LOG.setLevel(java.util.logging.Level.SEVERE);
    try {
      Fips.installAndCheck();
    } catch (IllegalStateException e) {
      System.err.println("meshfed demo: " + e.getMessage());
      deleteLauncherDir();
      return 1;
    }
    Path dir;
    try {
      String given = System.getProperty("meshfed.demo.dir");
      dir = given != null ? Path.of(given) : Files.createTempDirectory("meshfed-demo-");
    } catch (IOException e) {
      System.err.println("meshfed demo: cannot create a temporary directory: " + e.getMessage());
      return 1;
    }
    DemoMain demo = new DemoMain(System.out, dir, repo(), exitWhenHealthy, keep);
    return demo.runDemo();
  }

  static String usage() {
    return """
        Usage: ./meshfed demo [--exit-when-healthy] [--keep] [--pki]

        Runs a whole mesh on this machine: a real etcd, the meshfed controller, three simulated
        member clusters (c1, c2, c3) joined through the real join flow, the example policies of
        examples/policies and one agent per member; waits until the mesh is Healthy, prints its
        status, then runs until Ctrl-C and stops everything it started.

          --exit-when-healthy  stop as soon as the mesh is Healthy (tests, CI)
          --keep               keep the demo directory (logs, certificates) after stopping
          --pki                only the PKI walk-through (root, intermediates, leaves, rotation)

        Needs etcd on PATH (sudo apt-get install -y etcd-server).
        """;
  }

  /** The launcher makes the directory before the JVM starts; an early exit must remove it too. */
  private static void deleteLauncherDir() {
    String given = System.getProperty("meshfed.demo.dir");
    if (given != null) {
      deleteTree(Path.of(given));
    }
  }

  /** The checkout: -Dmeshfed.repo (the launcher sets it), else the nearest parent with examples/policies. */
  static Path repo() {
    String given = System.getProperty("meshfed.repo");
    if (given != null) {
      return Path.of(given);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples/policies"))) {
        return p;
      }
    }
    return Path.of("").toAbsolutePath();
  }

  // ---- the demo ----------------------------------------------------------------------------------

  private int runDemo() {
    Thread hook = new Thread(this::onSignal, "meshfed-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    long started = System.nanoTime();
    int code;
    try {
      out.println("meshfed demo: a mesh of three simulated member clusters on this machine");
      out.println("DEMO=" + dir + "   (everything below lives here and is removed when the demo stops)");
      code = steps(started);
    } catch (StepFailed e) {
      out.println();
      out.println("demo failed at step " + step + "/" + STEPS + ": " + e.getMessage());
      code = e.exitCode;
    } catch (Exception e) {
      out.println();
      out.println("demo failed at step " + step + "/" + STEPS + ": " + e);
      code = 1;
    }
    if (code == 0 && !exitWhenHealthy) {
      out.println();
      out.println("the mesh runs until Ctrl-C (then every process above is stopped and " + dir + " removed)");
      out.flush();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutting down already: the hook stops everything.
      return code;
    }
    out.println();
    out.println(stopAll());
    out.flush();
    return code;
  }

  /** Ctrl-C (SIGINT) or SIGTERM: stop everything, then end with 0 (1 if the demo had failed to stop cleanly). */
  private void onSignal() {
    String summary;
    try {
      out.println();
      out.println("stopping (signal) ...");
      summary = stopAll();
    } catch (RuntimeException e) {
      out.println("could not stop cleanly: " + e);
      out.flush();
      Runtime.getRuntime().halt(1);
      return;
    }
    out.println(summary);
    out.flush();
    // A demo stopped by Ctrl-C after cleaning up has done what it was asked: exit 0, not 130.
    Runtime.getRuntime().halt(0);
  }

  private int steps(long started) throws Exception {
    // 1. etcd
    step("find etcd (the mesh's only store)");
    Path etcdBinary = findEtcd();
    if (etcdBinary == null) {
      out.println(ETCD_MISSING);
      throw new StepFailed("etcd is not installed (or set ETCD_BIN)", 2);
    }
    command(etcdBinary + " --version");
    out.println(firstLine(List.of(etcdBinary.toString(), "--version")));

    // 2. the mesh CA
    byte[] secret = new byte[18];
    FipsRandom.get().nextBytes(secret);
    String passphrase = HexFormat.of().formatHex(secret);
    env.put("MESHFED_CA_PASSPHRASE", passphrase);
    write(dir.resolve("passphrase"), passphrase + "\n");
    Path ca = dir.resolve("ca");
    step("create the mesh root CA (EC P-256, Bouncy Castle FIPS in approved-only mode)");
    out.println("export MESHFED_CA_PASSPHRASE=$(cat " + show(dir.resolve("passphrase")) + ")   # encrypts every private key");
    cli("ca", "init", "--dir", ca.toString(), "--mesh", "demo");

    // 3. etcd's certificates
    step("issue etcd's certificates from the mesh root (etcd trusts the mesh CA for client certificates)");
    Path etcdDir = Files.createDirectories(dir.resolve("etcd-tls"));
    out.println("# etcd's server certificate: like `meshfed ca issue --server`, plus the clientAuth usage etcd's own gateway needs;");
    out.println("# its key is written in clear, the one key etcd must read unencrypted");
    EtcdTls tls = EtcdPki.issueServer(ca, etcdDir, passphrase);
    out.println("wrote " + show(tls.serverCertPem()) + ", " + show(tls.serverKeyPem()));
    cli("ca", "issue", "--dir", ca.toString(), "--client", "--cn", "root", "--out", etcdDir.resolve("root").toString());

    // 4. etcd
    step("start etcd with TLS and client-certificate authentication");
    command("etcd --client-cert-auth --trusted-ca-file " + show(tls.trustedCaPem()) + " --cert-file " + show(tls.serverCertPem())
        + " --key-file " + show(tls.serverKeyPem()) + " --listen-client-urls https://127.0.0.1:<free port> ...");
    EtcdCluster started0 = EtcdCluster.singleNode().withTls(tls).withStartupTimeout(Duration.ofSeconds(60)).start();
    track(() -> etcd = started0);
    String etcdUrl = etcd.clientEndpoints().get(0);
    out.println("etcd ready at " + etcdUrl + " (pid " + etcd.member(0).process().map(ProcessHandle::pid).map(String::valueOf).orElse("?") + ")");

    // 5. simulated clusters
    step("start 3 simulated member clusters (one JVM each, seeded like Cilium clusters)");
    for (int i = 0; i < MEMBERS.size(); i++) {
      command("java -cp simcluster/target/... io.meshfed.simcluster.SimulatedClustersMain --cluster name=" + MEMBERS.get(i) + ",id=" + (i + 1)
          + " --nodes 4 --identities 12 --endpoints 24 --services 1");
    }
    SimulatedClusters.Builder b = SimulatedClusters.builder();
    for (int i = 0; i < MEMBERS.size(); i++) {
      b.cluster(MEMBERS.get(i), i + 1);
    }
    b.nodes(4).identities(12).endpoints(24).services(1).readyTimeout(READY).jvmOption("-Djava.io.tmpdir=" + dir).jvmOption("-Xmx256m");
    // They start and seed in the background while the mesh is bootstrapped; step 8 waits for them.
    simsStarting = CompletableFuture.supplyAsync(b::start);
    out.println("(starting in the background; the join step waits for them)");

    // 6. bootstrap
    step("bootstrap the mesh: controller and admin certificates, etcd users and roles, configuration files");
    Path mesh = dir.resolve("mesh");
    cli("bootstrap", "--mesh", "demo", "--ca-dir", ca.toString(), "--etcd", etcdUrl, "--etcd-ca", ca.resolve("bundle.pem").toString(),
        "--etcd-cert", etcdDir.resolve("root.crt").toString(), "--etcd-key", etcdDir.resolve("root.key").toString(), "--out", mesh.toString());

    // 7. controller
    step("start the controller (its own JVM)");
    Map<String, String> controllerEnv = childEnv();
    controllerEnv.put("MESHFED_GRPC_PORT", "0");
    controllerEnv.put("MESHFED_REPORT_INTERVAL_SECONDS", "5");
    List<String> controllerArgs = List.of("controller", "--config", mesh.resolve("controller.yaml").toString(), "--listen", "127.0.0.1:0");
    command("MESHFED_GRPC_PORT=0 MESHFED_REPORT_INTERVAL_SECONDS=5 meshfed " + show(String.join(" ", controllerArgs)));
    Child ctl = Child.start("controller", launcher("meshfed", "io.meshfed.controller.cli.Main", controllerArgs), controllerEnv, dir,
        dir.resolve("logs/controller.log"));
    track(() -> controller = ctl);
    Matcher listening = controller.awaitLine(LISTENING, READY);
    int apiPort = Integer.parseInt(listening.group(1));
    int grpcPort = Integer.parseInt(listening.group(2));
    String url = "https://localhost:" + apiPort;
    CliConfig boot = CliConfig.load(mesh.resolve("meshfed.yaml"));
    Path cliConfig = dir.resolve("meshfed.yaml");
    YamlFiles.write(cliConfig, new CliConfig(url, boot.trustedCaFile(), boot.certFile(), boot.keyFile()));
    env.put(CliConfig.ENV, cliConfig.toString());
    out.println(listening.group(0) + " (pid " + controller.pid() + ", log " + show(controller.log()) + ")");
    out.println("export MESHFED_CONFIG=" + show(cliConfig) + "   # the admin CLI's config: " + url + " and the admin certificate");

    // 8. join
    step("join c1, c2 and c3 through the real join flow (single-use token, CA pinned by hash)");
    SimulatedClusters startedSims;
    try {
      startedSims = simsStarting.get(READY.toSeconds() + 30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new StepFailed("the simulated clusters did not start: " + e.getCause().getMessage(), 1);
    }
    track(() -> sims = startedSims);
    for (String c : MEMBERS) {
      SimulatedCluster sc = sims.cluster(c);
      Members.prepare(sc.kubeconfig());
      out.printf(Locale.ROOT, "%s: simulated cluster at %s (pid %d, kubeconfig %s): 4 nodes, 12 identities, 24 endpoints, 1 global service,"
          + " cilium DaemonSet 4/4 ready; namespace production added for allow-dns%n", c, sc.apiServerUrl(), sims.pid(c), show(sc.kubeconfig()));
    }
    for (int i = 0; i < MEMBERS.size(); i++) {
      String c = MEMBERS.get(i);
      String tokenJson = cliCapture("token", "create", "--cluster-name", c, "-o", "json");
      JsonNode token = json.readTree(tokenJson);
      String tokenText = token.path("token").asText();
      String caHash = token.path("caHash").asText();
      out.println("token " + tokenText.substring(0, tokenText.indexOf('.')) + ".<secret> for " + c + ", ca hash " + caHash);
      cli(List.of("join", "--controller", url, "--token", tokenText, "--ca-hash", caHash, "--kubeconfig", sims.cluster(c).kubeconfig().toString(),
          "--cluster-name", c, "--cluster-id", String.valueOf(i + 1)), tokenText);
    }
    cli("clusters");

    // 9. policies
    step("apply the mesh policies of examples/policies (L7 rule, DNS egress, one cross-cluster rule)");
    Path policies = repo.resolve("examples/policies");
    if (!Files.isDirectory(policies)) {
      throw new StepFailed("no " + policies + " (run the demo from the checkout: ./meshfed demo)", 1);
    }
    for (Path p : listYaml(policies)) {
      out.println("# " + repo.relativize(p) + ": " + describePolicy(p));
    }
    cli("policy", "apply", "-f", policies.toString());

    // 10. agents
    step("start one meshfed agent per member (own JVMs), each with the certificate join left in its cluster");
    for (String c : MEMBERS) {
      Path certDir = Members.agentCertificates(sims.cluster(c).kubeconfig(), dir.resolve("agents").resolve(c));
      out.println("# Secret meshfed-system/meshfed-agent-tls of " + c + " -> " + show(certDir) + "/{ca.crt,tls.crt,tls.key} (0600)");
      List<String> agentArgs = List.of("--controller", "127.0.0.1:" + grpcPort, "--cert-dir", certDir.toString(), "--kubeconfig",
          sims.cluster(c).kubeconfig().toString(), "--interval", "5");
      command("meshfed-agent " + show(String.join(" ", agentArgs)));
      Child agent = Child.start("agent " + c, launcher("meshfed-agent", "io.meshfed.agent.AgentMain", agentArgs), childEnv(), dir,
          dir.resolve("logs/agent-" + c + ".log"));
      track(() -> agents.add(agent));
      out.println("agent." + c + " running (pid " + agent.pid() + ", log " + show(agent.log()) + ")");
    }

    // 11. Healthy
    step("wait until every member is Healthy");
    int rc = cli("status", "--wait", "--timeout", "3m");
    if (rc != 0) {
      out.println("controller log ends with:\n" + controller.tail(20));
      for (Child a : agents) {
        out.println(a.name() + " log ends with:\n" + a.tail(10));
      }
      throw new StepFailed("the mesh did not become Healthy within 3 minutes", 1);
    }
    out.printf(Locale.ROOT, "the mesh is Healthy, %d s after the start%n", Duration.ofNanos(System.nanoTime() - started).toSeconds());

    // 12. show
    step("the mesh as the CLI shows it");
    cli("services");
    cli("policy", "status");
    out.println();
    out.println("API: " + url + " (client cert: " + cliConfig + ")");
    out.println("agents (gRPC, mTLS): 127.0.0.1:" + grpcPort + "   etcd: " + etcdUrl + "   logs: " + dir.resolve("logs"));
    out.println("try:  export MESHFED_CONFIG=" + cliConfig + " MESHFED_CA_PASSPHRASE=$(cat " + dir.resolve("passphrase") + ")");
    out.println("      ./meshfed status; ./meshfed clusters; ./meshfed services -o yaml; ./meshfed policy list");
    if (exitWhenHealthy) {
      out.println();
      out.println("--exit-when-healthy: stopping");
    }
    return 0;
  }

  // ---- processes ---------------------------------------------------------------------------------

  /** Records a started process, unless a signal is already stopping the demo: then it is stopped at once. */
  private void track(Runnable register) {
    boolean late;
    synchronized (this) {
      register.run();
      late = stopping;
    }
    if (late) {
      stopAll();
      throw new StepFailed("stopped by a signal", 1);
    }
  }

  /** Stops agents, controller, simulated clusters, etcd (that order), removes the directory; idempotent. */
  private synchronized String stopAll() {
    stopping = true;
    if (stopped) {
      return stopSummary;
    }
    stopped = true;
    int n = 0;
    List<String> problems = new ArrayList<>();
    for (int i = agents.size() - 1; i >= 0; i--) {
      agents.get(i).stop(Duration.ofSeconds(10));
      n++;
    }
    if (controller != null) {
      controller.stop(Duration.ofSeconds(20));
      n++;
    }
    if (sims == null && simsStarting != null) {
      // A step failed (or a signal came) while they were starting: wait for them, to stop them.
      try {
        sims = simsStarting.get(READY.toSeconds() + 30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // they failed to start; SimulatedClusters has stopped what it had launched
      }
    }
    if (sims != null) {
      try {
        sims.close();
      } catch (RuntimeException e) {
        problems.add("simulated clusters: " + e.getMessage());
      }
      n += MEMBERS.size();
    }
    if (etcd != null) {
      try {
        etcd.close();
      } catch (RuntimeException e) {
        problems.add("etcd: " + e.getMessage());
      }
      n++;
    }
    String removed;
    if (keep) {
      removed = "kept " + dir + " (passphrase in " + dir.resolve("passphrase") + ")";
    } else {
      deleteTree(dir);
      removed = Files.exists(dir) ? "could not remove " + dir : "removed " + dir;
    }
    stopSummary = "stopped " + n + " processes, " + removed + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")");
    return stopSummary;
  }

  /** The product launcher in the demo's bin/ (same lib/), or, run from classes, java -cp with this JVM's classpath. */
  private List<String> launcher(String name, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    String home = System.getProperty("meshfed.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", name))) {
      cmd.add(Path.of(home, "bin", name).toString());
    } else {
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dorg.bouncycastle.fips.approved_only=true");
      cmd.add("-Djava.io.tmpdir=" + dir);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(mainClass);
    }
    cmd.addAll(args);
    return cmd;
  }

  /** Environment of the controller and agents: the passphrase, and their temporary files in the demo directory. */
  private Map<String, String> childEnv() {
    Map<String, String> e = new HashMap<>(env);
    e.remove(CliConfig.ENV);
    e.put("MESHFED_JAVA_OPTS", "-Djava.io.tmpdir=" + dir);
    return e;
  }

  // ---- the CLI -----------------------------------------------------------------------------------

  private void step(String title) {
    step++;
    out.println();
    out.printf(Locale.ROOT, "[%d/%d] %s   (t+%ds)%n", step, STEPS, title, Duration.ofNanos(System.nanoTime() - startedAt).toSeconds());
    out.flush();
  }

  private void command(String text) {
    out.println("$ " + text);
    out.flush();
  }

  private int cli(String... args) {
    return cli(List.of(args), null);
  }

  /** Runs one meshfed command in this JVM, printed first ({@code secret} masked); a failure (other than status) ends the demo. */
  private int cli(List<String> args, String secret) {
    String shown = show(String.join(" ", args));
    if (secret != null) {
      shown = shown.replace(secret, secret.substring(0, secret.indexOf('.') + 1) + "<secret>");
    }
    command("meshfed " + shown);
    PrintWriter w = new PrintWriter(out, true);
    int rc = Main.run(args.toArray(String[]::new), w, new PrintWriter(System.err, true), env);
    w.flush();
    if (rc != 0 && !args.get(0).equals("status")) {
      throw new StepFailed("`meshfed " + args.get(0) + (args.size() > 1 && !args.get(1).startsWith("-") ? " " + args.get(1) : "")
          + "` exited with " + rc, 1);
    }
    return rc;
  }

  private String cliCapture(String... args) {
    command("meshfed " + show(String.join(" ", args)));
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int rc = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true), env);
    if (rc != 0) {
      throw new StepFailed("`meshfed " + String.join(" ", args) + "` exited with " + rc + ": " + e, 1);
    }
    return o.toString();
  }

  private String show(Path p) {
    return show(p.toString());
  }

  /** Paths below the demo directory shown as $DEMO/... */
  private String show(String text) {
    return text.replace(dir.toString(), "$DEMO");
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static Path findEtcd() {
    String explicit = System.getenv("ETCD_BIN");
    if (explicit != null && Files.isExecutable(Path.of(explicit))) {
      return Path.of(explicit);
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "etcd"))) {
        return Path.of(d, "etcd");
      }
    }
    return null;
  }

  private static String firstLine(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return text.lines().findFirst().orElse("");
  }

  private static List<Path> listYaml(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  /** kind namespace/name and placement, from the file's first document. */
  private static String describePolicy(Path file) {
    try {
      JsonNode doc = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(file.toFile());
      JsonNode md = doc.path("metadata");
      String placement = md.path("annotations").path("meshfed.io/clusters").asText("");
      return doc.path("kind").asText() + " " + (md.has("namespace") ? md.path("namespace").asText() + "/" : "") + md.path("name").asText()
          + (placement.isEmpty() ? ", every member" : ", placed in " + placement);
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    for (int attempt = 0; attempt < 3 && Files.exists(root); attempt++) {
      try (var walk = Files.walk(root)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // a process that was just stopped may still be closing a file: try again below
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // something disappeared while walking: walk again
      }
    }
  }

  /** A step that failed with a message for the user. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    StepFailed(String message, int exitCode) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }
  }
}
