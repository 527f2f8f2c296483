package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts simulated clusters for tests and demos: each a fabric8 KubernetesMockServer in CRUD mode
 * in this JVM, on its own loopback port, seeded like a Cilium cluster. It runs in its own process
 * because the mock server needs Vert.x 4, Netty 4.1 and non-FIPS Bouncy Castle, which must stay
 * off the product classpath. See README.md in this module for arguments and the stdin protocol.
 *
 * <p>Exit codes: 0 after stdin closed or SIGTERM, 1 when starting failed, 2 for bad arguments.
 */
public final class SimulatedClustersMain {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedClustersMain.class);

  private final LauncherArguments arguments;
  private final List<SimulatedCluster> clusters = new ArrayList<>();
  private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "simcluster-housekeeping");
    thread.setDaemon(true);
    return thread;
  });

  private SimulatedClustersMain(LauncherArguments arguments) {
    this.arguments = arguments;
    arguments.clusters().forEach(spec -> clusters.add(new SimulatedCluster(spec, arguments.users())));
  }

  public static void main(String[] args) {
    LauncherArguments arguments;
    try {
      arguments = LauncherArguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("simcluster: " + e.getMessage());
      System.err.println(LauncherArguments.USAGE);
      System.exit(2);
      return;
    }
    SimulatedClustersMain launcher = new SimulatedClustersMain(arguments);
    Runtime.getRuntime().addShutdownHook(new Thread(launcher::stopAll, "simcluster-shutdown"));
    try {
      launcher.startAll();
    } catch (Exception e) {
      LOG.error("simulated clusters failed to start", e);
      launcher.stopAll();
      System.exit(e instanceof IllegalArgumentException ? 2 : 1);
      return;
    }
    launcher.serveUntilTold();
    launcher.stopAll();
    System.exit(0);
  }

  /** Seeds every simulated cluster in parallel, then starts them, then writes the ready files. */
  private void startAll() throws Exception {
    List<CustomResourceDefinition> crds = CiliumCrds.load(arguments.crdDir());
    List<ClusterSeeder> seeders = new ArrayList<>();
    for (ClusterSpec spec : arguments.clusters()) {
      // Built before anything runs, so that a size that does not fit fails at once.
      seeders.add(new ClusterSeeder(spec, arguments.sizes(), arguments.maxConnectedClusters(), crds));
    }
    long start = System.nanoTime();
    Map<String, Map<String, Long>> seedMillis = new LinkedHashMap<>();
    ExecutorService seeding = Executors.newFixedThreadPool(
        Math.min(clusters.size(), Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<Map<String, Long>>> results = new ArrayList<>();
      for (int i = 0; i < clusters.size(); i++) {
        ClusterSeeder seeder = seeders.get(i);
        SimulatedCluster cluster = clusters.get(i);
        results.add(seeding.submit(() -> seeder.seed(cluster.dispatcher())));
      }
      for (int i = 0; i < clusters.size(); i++) {
        seedMillis.put(clusters.get(i).name(), results.get(i).get());
      }
    } finally {
      seeding.shutdownNow();
    }
    LOG.info("{} simulated clusters seeded in {} ms", clusters.size(), (System.nanoTime() - start) / 1_000_000);

    ReadyFiles files = new ReadyFiles(arguments.outDir());
    for (SimulatedCluster cluster : clusters) {
      cluster.start();
      files.writeKubeconfigs(cluster);
    }
    housekeeping.scheduleWithFixedDelay(() -> clusters.forEach(cluster -> {
      cluster.forgetRecordedRequests();
      cluster.auth().forgetExpiredTokens();
    }), 10, 10, TimeUnit.SECONDS);
    LOG.info("ready: {}", files.writeReady(clusters, seedMillis));
  }

  /** Answers control commands until stdin closes; with --no-stdin, waits for SIGTERM. */
  private void serveUntilTold() {
    if (!arguments.stdinControl()) {
      awaitForever();
      return;
    }
    ControlCommands commands = new ControlCommands(clusters);
    PrintStream replies = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String reply = commands.execute(line);
        if (reply != null) {
          replies.println(reply);
        }
      }
      LOG.info("stdin closed: stopping the simulated clusters");
    } catch (IOException e) {
      LOG.warn("reading stdin failed, stopping the simulated clusters", e);
    }
  }

  private static void awaitForever() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopAll() {
    housekeeping.shutdownNow();
    for (SimulatedCluster cluster : clusters) {
      try {
        cluster.stop();
      } catch (RuntimeException e) {
        LOG.warn("stopping simulated cluster {} failed", cluster.name(), e);
      }
    }
  }
}
