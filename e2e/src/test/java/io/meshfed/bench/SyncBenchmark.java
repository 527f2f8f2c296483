package io.meshfed.bench;

import static io.meshfed.bench.JoinBenchmark.pct;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Initial sync, propagation latency and controller heap for 3 simulated clusters (issue #4), with
 * raw etcd throughput measured on the same etcd in the same run. Run with
 * {@code bench/run sync [scale]}: scale 1 (default) = 10k identities, 30k endpoints, 1k nodes and
 * 1k global services per cluster; 0.1 = 10% of every count.
 *
 * <p>The controller runs as its own JVM ({@link ControllerProcess}) so its heap is its own
 * ({@code jcmd GC.run}, then {@code GC.heap_info}). Steps: join the 3 clusters through the real CLI
 * and wait for their sync; stop the controller, delete {@code cilium/cache/} and
 * {@code cilium/synced/} as root; measure the raw etcd baselines; start a new controller and time
 * the full resync of the 3 clusters (all 12 canaries and every key count equal to the source);
 * wait until the controller's CPU is idle; then, after a short unmeasured warm-up churn, change
 * CiliumIdentities at a paced rate and time each change to its etcd watch event.
 *
 * <p>The launcher fits at most 256 node pod CIDRs in a cluster's range, so above 256 nodes the
 * remaining CiliumNodes are created through the API before the joins. The writers' stats
 * ({@code op=writer-stop}, average batch = puts / batches) are copied from the controller log to stderr.
 */
public final class SyncBenchmark {
  private SyncBenchmark() {}

  static final List<String> CLUSTERS = List.of("c1", "c2", "c3");
  static final List<String> TYPES = List.of("identities", "ip", "nodes", "services");
  /** The launcher gives each node a /24 of its cluster's 10.<id>.0.0/16: at most 256 nodes. */
  static final int LAUNCHER_MAX_NODES = 256;
  static final ResourceDefinitionContext IDENTITIES = crd("ciliumidentities", "CiliumIdentity");
  static final ResourceDefinitionContext NODES = crd("ciliumnodes", "CiliumNode");
  static final String MARKER_LABEL = "k8s:meshfed-bench-seq";
  static final Pattern MARKER = Pattern.compile("meshfed-bench-seq=(\\d+);");
  static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
  static final int CHURN_COUNT = 20_000;
  static final int CHURN_RATE = 1_000;
  static final int WARMUP_COUNT = 5_000;
  /** Marker values of the warm-up's changes start here, so they never match a measured one. */
  static final int WARMUP_BASE = 1_000_000;
  static final Duration SYNC_TIMEOUT = Duration.ofMinutes(15);
  static final Map<String, String> LOG_INFO = controllerEnv();

  /** INFO logs; JVM options for the controller (e.g. a JFR recording) from MESHFED_BENCH_CONTROLLER_JAVA_OPTS. */
  static Map<String, String> controllerEnv() {
    Map<String, String> env = new java.util.HashMap<>(Map.of("MESHFED_LOG_LEVEL", "INFO"));
    String opts = System.getenv("MESHFED_BENCH_CONTROLLER_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      env.put("JAVA_TOOL_OPTIONS", opts);
    }
    return Map.copyOf(env);
  }

  record Sync(long firstKeyNanos, long doneNanos, Map<String, Long> lastCanaryByType, Map<String, Long> counts, boolean complete) {}

  record Throughput(String what, long keys, double seconds) {
    double rate() {
      return keys / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    // Controller JVMs must not outlive a failed run (etcd and the simulated clusters have their own hooks).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().children().forEach(ProcessHandle::destroy)));
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("identities", scaled(10_000, scale));
    expected.put("ip", scaled(30_000, scale));
    expected.put("nodes", scaled(1_000, scale));
    expected.put("services", scaled(1_000, scale));
    int seededNodes = Math.min(expected.get("nodes"), LAUNCHER_MAX_NODES);
    long keys = CLUSTERS.size() * expected.values().stream().mapToLong(Integer::longValue).sum();
    System.err.printf(Locale.ROOT, "scale %.3f: per cluster %s (%d nodes seeded by the launcher), %d keys in all; load %s%n",
        scale, expected, seededNodes, keys, load());

    Path dir = Files.createTempDirectory("meshfed-sync-bench-");
    MeshHarness mesh = MeshHarness.prepare(dir);
    SimulatedClusters.Builder b = SimulatedClusters.builder().nodes(seededNodes).identities(expected.get("identities"))
        .endpoints(expected.get("ip")).services(expected.get("services")).jvmOption("-Xmx3g").readyTimeout(Duration.ofMinutes(10));
    for (int i = 0; i < CLUSTERS.size(); i++) {
      b.cluster(CLUSTERS.get(i), i + 1);
    }
    List<String> out = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.singleNode().withTls(mesh.etcdTls()).start();
        SimulatedClusters sims = b.start();
        Client root = new EtcdAccess(etcd.clientEndpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect()) {
      KV kv = root.getKVClient();
      Map<String, KubernetesClient> admins = new LinkedHashMap<>();
      for (String c : CLUSTERS) {
        admins.put(c, MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null));
      }
      addNodes(admins, seededNodes, expected.get("nodes"));
      CliRunner.Result boot = mesh.bootstrap(etcd.clientEndpoints());
      if (boot.exit() != 0) {
        throw new IllegalStateException(boot.toString());
      }

      // 1. Joins, with a first controller; its idle heap is the baseline.
      ControllerProcess first = mesh.startControllerProcess(LOG_INFO);
      long idleHeapKb = heapUsedKb();
      for (String c : CLUSTERS) {
        var created = new ObjectMapper().readTree(mesh.cli().run("token", "create", "-o", "json").out());
        CliRunner.Result r = new CliRunner(MeshHarness.ENV).run("join", "--controller", mesh.url(), "--token", created.get("token").asText(),
            "--ca-hash", created.get("caHash").asText(), "--kubeconfig", sims.cluster(c).kubeconfig().toString(),
            "--cluster-name", c, "--cluster-id", c.substring(1));
        if (r.exit() != 0) {
          throw new IllegalStateException("join " + c + " failed: " + r);
        }
      }
      long joined = System.nanoTime();
      Sync afterJoin = waitSynced(kv, expected, joined);
      System.err.printf(Locale.ROOT, "sync after joins: %.1f s after the last join, complete=%s counts=%s%n",
          (afterJoin.doneNanos() - joined) / 1e9, afterJoin.complete(), afterJoin.counts());
      first.close();
      deletePrefix(kv, "cilium/cache/");
      deletePrefix(kv, "cilium/synced/");

      // 2. Raw etcd, same etcd, controller stopped.
      byte[] value = "v".repeat(300).getBytes(StandardCharsets.UTF_8);
      int rawKeys = (int) Math.min(Math.max(keys, 10_000), 40_000);
      String loadBefore = load();
      List<Throughput> raw = List.of(
          rawPuts(kv, rawKeys, 64, value),
          rawTxns(kv, rawKeys, 1, value),
          rawTxns(kv, rawKeys, CLUSTERS.size(), value));
      deletePrefix(kv, "bench/");

      // 3. Full resync by a new controller.
      long launched = System.nanoTime();
      CompletableFuture<Sync> resync = CompletableFuture.supplyAsync(() -> waitSynced(kv, expected, launched));
      ControllerProcess second = mesh.startControllerProcess(LOG_INFO);
      long listening = System.nanoTime();
      Sync sync = resync.get(SYNC_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
      String loadAfterSync = load();
      long syncedHeapKb = heapUsedKb();
      // Wait until the controller is idle (its sweeps and informer hand-offs done) before the
      // churn and the next heap reading.
      double busy = settle(Duration.ofMinutes(3));
      long settledHeapKb = heapUsedKb();
      System.err.printf(Locale.ROOT, "controller busy until %.1f s after launch%n", busy + (sync.doneNanos() - launched) / 1e9);
      if (!sync.complete()) {
        System.err.println("RESYNC DID NOT COMPLETE within " + SYNC_TIMEOUT + ": counts " + sync.counts());
      }
      Throughput fromFirstKey = new Throughput("meshfed resync of 3 clusters, first key written → all canaries and counts", keys,
          (sync.doneNanos() - sync.firstKeyNanos()) / 1e9);
      Throughput fromLaunch = new Throughput("same, from the controller's launch (JVM start, etcd connect, first lists)", keys,
          (sync.doneNanos() - launched) / 1e9);
      System.err.printf(Locale.ROOT, "controller listening %.1f s after launch; first cache key %.1f s after launch%n",
          (listening - launched) / 1e9, (sync.firstKeyNanos() - launched) / 1e9);
      sync.lastCanaryByType().forEach((t, at) -> System.err.printf(Locale.ROOT, "last canary of %s: %.1f s after launch%n", t, (at - launched) / 1e9));

      // 4. Propagation latency: a short warm-up churn first (not measured, reported on stderr), as
      // the resync never runs the controller's watch-event path: without it the first seconds
      // of the measured churn time the JIT compiling that path, not the steady state.
      double[][] warmup = churn(root, admins, WARMUP_COUNT, WARMUP_BASE);
      System.err.printf(Locale.ROOT, "warm-up churn (not measured): %d changes at %.0f/s, from answer p50 %.0f ms, p99 %.0f ms%n",
          warmup[1].length, warmup[2][0], pct(list(warmup[3]), 50), pct(list(warmup[3]), 99));
      String etcdMetrics = etcd.members().get(0).metricsUrl();
      var disksBefore = EtcdDiskLatency.scrape(etcdMetrics);
      double[][] churn = churn(root, admins, CHURN_COUNT, 0);
      String etcdDisk = EtcdDiskLatency.describe(disksBefore, EtcdDiskLatency.scrape(etcdMetrics));
      if (churn[2][1] > 0) {
        Path threads = dir.resolve("controller-threads-after-churn.txt");
        Files.writeString(threads, jcmd(controllerPid(), "Thread.print"));
        System.err.println("changes not seen in etcd: controller threads in " + threads);
      }
      long churnedHeapKb = heapUsedKb();
      second.close();

      // Report.
      out.add(String.format(Locale.ROOT, "scale %s: per cluster %d identities, %d endpoints, %d nodes (%d seeded, %d added through the API), %d global services; 3 clusters, %d keys",
          scale, expected.get("identities"), expected.get("ip"), expected.get("nodes"), seededNodes, expected.get("nodes") - seededNodes,
          expected.get("services"), keys));
      out.add("load average before the raw baselines: " + loadBefore + "; after the resync: " + loadAfterSync);
      out.add("");
      out.add("| measure | keys | s | keys/s |");
      out.add("|---|---:|---:|---:|");
      for (Throughput t : raw) {
        out.add(row(t));
      }
      out.add(row(fromFirstKey));
      out.add(row(fromLaunch));
      out.add(row(new Throughput("(first sync right after the joins, from the end of the last join)", keys, (afterJoin.doneNanos() - joined) / 1e9)));
      out.add("");
      double best = Math.max(raw.get(1).rate(), raw.get(2).rate());
      out.add(String.format(Locale.ROOT, "resync/raw: %.2f of 128-op txns 1 in flight, %.2f of 128-op txns %d in flight, %.2f of single puts 64 in flight; target >= 0.5 of raw 128-op txns: %s",
          fromFirstKey.rate() / raw.get(1).rate(), fromFirstKey.rate() / raw.get(2).rate(), CLUSTERS.size(), fromFirstKey.rate() / raw.get(0).rate(),
          sync.complete() && fromFirstKey.rate() >= 0.5 * best ? "MET" : "NOT MET"));
      out.add("");
      out.add("| measure | n | rate/s | p50 ms | p99 ms | max ms |");
      out.add("|---|---:|---:|---:|---:|---:|");
      out.add(latencyRow("CiliumIdentity change (PATCH sent) → key event on an etcd watch", churn[0], churn[2][0]));
      out.add(latencyRow("same, from the PATCH's answer (the change is stored in the member by then)", churn[3], churn[2][0]));
      out.add(latencyRow("(the PATCH round trip to the simulated cluster alone)", churn[1], churn[2][0]));
      // The change exists in the member from some moment between sending the PATCH and its answer,
      // so the two measures bound the propagation from above and from below.
      out.add(String.format(Locale.ROOT, "changes: %d answered of %d planned (at most 40 s of sending), %d not seen in etcd within 30 s (coalesced or lost), %d PATCH errors; target p99 <= 100 ms: %s from the PATCH sent (upper bound), %s from its answer (lower bound)",
          churn[1].length, CHURN_COUNT, (long) churn[2][1], (long) churn[2][2],
          churn[0].length > 0 && churn[2][1] == 0 && pct(list(churn[0]), 99) <= 100 ? "MET" : "NOT MET",
          churn[3].length > 0 && churn[2][1] == 0 && pct(list(churn[3]), 99) <= 100 ? "MET" : "NOT MET"));
      out.add("etcd during the measured churn (its own histograms): " + etcdDisk);
      out.add("");
      out.add("| controller JVM heap (jcmd GC.run, then GC.heap_info used) | MB |");
      out.add("|---|---:|");
      out.add(String.format(Locale.ROOT, "| idle, no member (before the joins) | %.0f |", idleHeapKb / 1024.0));
      out.add(String.format(Locale.ROOT, "| right after the resync of 3 clusters | %.0f |", syncedHeapKb / 1024.0));
      out.add(String.format(Locale.ROOT, "| after the resync, controller settled (CPU idle) | %.0f |", settledHeapKb / 1024.0));
      out.add(String.format(Locale.ROOT, "| after the churn | %.0f |", churnedHeapKb / 1024.0));
      out.add(String.format(Locale.ROOT, "| difference settled - idle | %.0f |", (settledHeapKb - idleHeapKb) / 1024.0));
      admins.values().forEach(KubernetesClient::close);
      mesh.close();
      // The second controller's writers, one a cluster: puts, batches (average batch = puts / batches), skipped.
      Files.readAllLines(dir.resolve("controller-process.log")).stream().filter(l -> l.contains("op=writer-stop"))
          .forEach(System.err::println);
    }
    out.forEach(System.out::println);
  }

  static int scaled(int full, double scale) {
    return Math.max(1, (int) Math.round(full * scale));
  }

  /** CiliumNodes beyond what the launcher seeds: name and InternalIP as it would give them, no pod CIDR. */
  static void addNodes(Map<String, KubernetesClient> admins, int from, int to) throws Exception {
    if (from >= to) {
      return;
    }
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<CompletableFuture<?>> all = new ArrayList<>();
    int id = 1;
    for (var e : admins.entrySet()) {
      int clusterId = id++;
      for (int n = from; n < to; n++) {
        long ip = (172L << 24) + (16L << 16) + clusterId * 2048L + 10 + n;
        GenericKubernetesResource node = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind("CiliumNode")
            .withNewMetadata().withName(e.getKey() + "-node-" + n).endMetadata()
            .addToAdditionalProperties("spec", Map.of("addresses", List.of(Map.of("type", "InternalIP",
                "ip", (ip >> 24) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255)))))
            .build();
        all.add(CompletableFuture.runAsync(() -> e.getValue().genericKubernetesResources(NODES).resource(node).create(), pool));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    pool.shutdown();
    System.err.printf(Locale.ROOT, "added %d CiliumNodes per cluster through the API in %.1f s%n", to - from, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Polls etcd until all 12 canaries exist and every {@code cilium/cache/<type>/v1/<c>/} holds the
   * expected number of keys (counted only once the canaries are there, so polling stays cheap).
   */
  static Sync waitSynced(KV kv, Map<String, Integer> expected, long startNanos) {
    long deadline = startNanos + SYNC_TIMEOUT.toNanos();
    long firstKey = 0;
    Map<String, Long> canaries = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    try {
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        if (firstKey == 0 && kv.get(bs("cilium/cache/"), GetOption.builder().isPrefix(true).withKeysOnly(true).withLimit(1).build())
            .get(10, TimeUnit.SECONDS).getCount() > 0) {
          firstKey = now;
        }
        for (var k : kv.get(bs("cilium/synced/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get(10, TimeUnit.SECONDS).getKvs()) {
          canaries.putIfAbsent(k.getKey().toString(StandardCharsets.UTF_8), now);
        }
        if (canaries.size() == CLUSTERS.size() * TYPES.size()) {
          boolean all = true;
          for (String c : CLUSTERS) {
            for (String t : TYPES) {
              long n = kv.get(bs("cilium/cache/" + t + "/v1/" + c + "/"), GetOption.builder().isPrefix(true).withCountOnly(true).build())
                  .get(10, TimeUnit.SECONDS).getCount();
              counts.put(c + "/" + t, n);
              all &= n == expected.get(t);
            }
          }
          if (all) {
            return new Sync(firstKey, System.nanoTime(), lastByType(canaries), counts, true);
          }
          Thread.sleep(200);
        } else {
          Thread.sleep(firstKey == 0 ? 20 : 50);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("polling etcd failed", e);
    }
    return new Sync(firstKey, System.nanoTime(), lastByType(canaries), counts, false);
  }

  static Map<String, Long> lastByType(Map<String, Long> canaries) {
    Map<String, Long> last = new LinkedHashMap<>();
    canaries.forEach((key, at) -> last.merge(key.substring(key.indexOf("/cilium/cache/") + "/cilium/cache/".length()), at, Math::max));
    return last;
  }

  static Throughput rawPuts(KV kv, int n, int inFlight, byte[] value) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    AtomicInteger errors = new AtomicInteger();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      acquire(slots, 1);
      kv.put(bs("bench/put/" + i), ByteSequence.from(value)).whenComplete((r, e) -> {
        if (e != null) {
          errors.incrementAndGet();
        }
        slots.release();
      });
    }
    acquire(slots, inFlight);
    return checked(new Throughput("raw etcd: single puts, 64 in flight", n, (System.nanoTime() - t0) / 1e9), errors);
  }

  static Throughput rawTxns(KV kv, int n, int inFlight, byte[] value) throws Exception {
    Semaphore slots = new Semaphore(inFlight);
    AtomicInteger errors = new AtomicInteger();
    int txns = (n + 127) / 128;
    long t0 = System.nanoTime();
    for (int t = 0; t < txns; t++) {
      Op[] ops = new Op[128];
      for (int o = 0; o < 128; o++) {
        ops[o] = Op.put(bs("bench/txn" + inFlight + "/" + t + "/" + o), ByteSequence.from(value), PutOption.DEFAULT);
      }
      acquire(slots, 1);
      kv.txn().Then(ops).commit().whenComplete((r, e) -> {
        if (e != null) {
          errors.incrementAndGet();
        }
        slots.release();
      });
    }
    acquire(slots, inFlight);
    return checked(new Throughput("raw etcd: 128-op transactions, " + inFlight + " in flight", txns * 128L, (System.nanoTime() - t0) / 1e9), errors);
  }

  /**
   * Changes CiliumIdentities round-robin over the clusters and identities, {@link #CHURN_RATE} per
   * second, {@link #CHURN_COUNT} at most and for at most 40 s, each with a new value of one label;
   * an etcd watch on {@code cilium/cache/identities/v1/} notes when each value arrives. Change
   * {@code s} carries the marker value {@code base + s}.
   *
   * @return {latencies from PATCH sent ms, PATCH round trips ms, {rate achieved, not seen, errors},
   *     latencies from PATCH answered ms (negative when the key was in etcd before the answer)}
   */
  static double[][] churn(Client root, Map<String, KubernetesClient> admins, int count, int base) throws Exception {
    Map<String, List<String>> names = new LinkedHashMap<>();
    admins.forEach((c, k) -> names.put(c, k.genericKubernetesResources(IDENTITIES).list().getItems().stream().map(o -> o.getMetadata().getName()).toList()));
    AtomicLongArray sent = new AtomicLongArray(count);
    AtomicLongArray answered = new AtomicLongArray(count);
    AtomicLongArray seen = new AtomicLongArray(count);
    AtomicInteger errors = new AtomicInteger();
    List<KubernetesClient> clients = List.copyOf(admins.values());
    List<List<String>> ids = List.copyOf(names.values());
    try (Watch.Watcher watcher = root.getWatchClient().watch(bs("cilium/cache/identities/v1/"), WatchOption.builder().isPrefix(true).build(), r -> {
      long now = System.nanoTime();
      for (WatchEvent ev : r.getEvents()) {
        Matcher m = MARKER.matcher(ev.getKeyValue().getValue().toString(StandardCharsets.UTF_8));
        if (ev.getEventType() == WatchEvent.EventType.PUT && m.find()) {
          int s = Integer.parseInt(m.group(1)) - base;
          if (s >= 0 && s < count) {
            seen.compareAndSet(s, 0, now);
          }
        }
      }
    })) {
      Thread.sleep(1000);
      ExecutorService pool = Executors.newFixedThreadPool(32);
      long t0 = System.nanoTime() + 100_000_000L;
      long sendUntil = t0 + TimeUnit.SECONDS.toNanos(40);
      int planned = 0;
      for (int seq = 0; seq < count; seq++) {
        long due = t0 + seq * 1_000_000_000L / CHURN_RATE;
        LockSupport.parkNanos(due - System.nanoTime());
        if (System.nanoTime() > sendUntil) {
          break;
        }
        int s = seq;
        int c = s % clients.size();
        List<String> mine = ids.get(c);
        String name = mine.get((s / clients.size()) % mine.size());
        pool.execute(() -> {
          sent.set(s, System.nanoTime());
          try {
            mergePatch(clients.get(c), "apis/cilium.io/v2/ciliumidentities/" + name,
                "{\"security-labels\":{\"" + MARKER_LABEL + "\":\"" + (base + s) + "\"}}");
            answered.set(s, System.nanoTime());
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
        });
        planned++;
      }
      pool.shutdown();
      pool.awaitTermination(2, TimeUnit.MINUTES);
      long firstSent = sent.get(0);
      long lastSent = 0;
      for (int s = 0; s < planned; s++) {
        lastSent = Math.max(lastSent, sent.get(s));
      }
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < waitUntil && countSeen(seen, answered, planned) < countNonZero(answered, planned)) {
        Thread.sleep(100);
      }
      List<Double> latencies = new ArrayList<>();
      List<Double> fromAnswer = new ArrayList<>();
      List<Double> roundTrips = new ArrayList<>();
      int notSeen = 0;
      for (int s = 0; s < planned; s++) {
        if (answered.get(s) == 0) {
          continue;
        }
        roundTrips.add((answered.get(s) - sent.get(s)) / 1e6);
        if (seen.get(s) == 0) {
          if (notSeen++ < 5) {
            // Say where an unseen change is now: in the simulated cluster, and in etcd.
            int c = s % clients.size();
            String name = ids.get(c).get((s / clients.size()) % ids.get(c).size());
            String cluster = CLUSTERS.get(c);
            Object labels = clients.get(c).genericKubernetesResources(IDENTITIES).withName(name).get().getAdditionalProperties().get("security-labels");
            var kvs = root.getKVClient().get(bs("cilium/cache/identities/v1/" + cluster + "/id/" + name)).get(10, TimeUnit.SECONDS).getKvs();
            System.err.printf(Locale.ROOT, "change %d not seen: %s identity %s sent at %.1f s, member now %s, etcd now %s%n", s, cluster, name,
                (sent.get(s) - sent.get(0)) / 1e9, labels, kvs.isEmpty() ? "(no key)" : kvs.get(0).getValue().toString(StandardCharsets.UTF_8));
          }
        } else {
          latencies.add((seen.get(s) - sent.get(s)) / 1e6);
          fromAnswer.add((seen.get(s) - answered.get(s)) / 1e6);
        }
      }
      double rate = roundTrips.size() / ((lastSent - firstSent) / 1e9);
      // Where the slow ones are: p50/max per 5 s of sending (bursts point at replays, GC or CPU starvation).
      for (long w = firstSent; w <= lastSent; w += 5_000_000_000L) {
        List<Double> inWindow = new ArrayList<>();
        for (int s = 0; s < planned; s++) {
          if (seen.get(s) != 0 && sent.get(s) >= w && sent.get(s) < w + 5_000_000_000L) {
            inWindow.add((seen.get(s) - answered.get(s)) / 1e6);
          }
        }
        if (!inWindow.isEmpty()) {
          System.err.printf(Locale.ROOT, "churn %3.0f s: %d changes, from answer p50 %.0f ms, max %.0f ms%n",
              (w - firstSent) / 1e9, inWindow.size(), pct(inWindow, 50), pct(inWindow, 100));
        }
      }
      return new double[][] {array(latencies), array(roundTrips), {rate, notSeen, errors.get()}, array(fromAnswer)};
    }
  }

  static int countSeen(AtomicLongArray seen, AtomicLongArray answered, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      k += answered.get(i) != 0 && seen.get(i) != 0 ? 1 : 0;
    }
    return k;
  }

  static int countNonZero(AtomicLongArray a, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      k += a.get(i) != 0 ? 1 : 0;
    }
    return k;
  }

  /**
   * Waits until the controller used less than 10% of a core for 2 s in a row.
   *
   * @return seconds waited
   */
  /**
   * One JSON merge PATCH, as a controller or kubectl sends it. fabric8's {@code patch(...)} first
   * GETs the object, which would double the requests the simulated cluster answers and put a read
   * into every measured change.
   */
  static void mergePatch(KubernetesClient client, String path, String body) {
    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder().uri(client.getMasterUrl().toString().replaceAll("/+$", "") + "/" + path)
        .method("PATCH", "application/merge-patch+json", body).build();
    try {
      var response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
      if (response.code() != 200 && response.code() != 202) {
        throw new IllegalStateException("PATCH " + path + ": HTTP " + response.code() + " " + response.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("PATCH " + path, e);
    }
  }

  static double settle(Duration max) throws Exception {
    Path stat = Path.of("/proc", String.valueOf(controllerPid()), "stat");
    long t0 = System.nanoTime();
    long before = cpuTicks(stat);
    int quiet = 0;
    while (quiet < 2 && System.nanoTime() - t0 < max.toNanos()) {
      Thread.sleep(1000);
      long now = cpuTicks(stat);
      quiet = now - before < 10 ? quiet + 1 : 0; // ticks of 10 ms: 10% of one core
      before = now;
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
  static long cpuTicks(Path stat) throws IOException {
    String text = Files.readString(stat);
    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** Heap in use by the (only) controller JVM this one started, after a full GC. */
  static long heapUsedKb() throws Exception {
    long pid = controllerPid();
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("cannot read the heap from: " + info);
    }
    String histogram = jcmd(pid, "GC.class_histogram");
    System.err.println("controller pid " + pid + " top classes after GC:\n"
        + String.join("\n", histogram.lines().limit(14).toList()));
    return Long.parseLong(m.group(1));
  }

  /** The controller JVM this one started and that still runs. */
  static long controllerPid() throws Exception {
    // ProcessHandle.Info has no command line for a JVM with a long classpath: ask jcmd, keep our children.
    java.util.Set<Long> mine = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
        .collect(java.util.stream.Collectors.toSet());
    return jcmd(-1, "").lines().filter(l -> l.contains("io.meshfed.controller.cli.Main"))
        .map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).filter(mine::contains)
        .findFirst().orElseThrow(() -> new IllegalStateException("no controller process"));
  }

  /** {@code jcmd PID COMMAND}, or {@code jcmd -l} for a negative pid. */
  static String jcmd(long pid, String command) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = (pid < 0 ? new ProcessBuilder(jcmd, "-l") : new ProcessBuilder(jcmd, String.valueOf(pid), command))
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + text);
    }
    return text;
  }

  static void deletePrefix(KV kv, String prefix) throws Exception {
    kv.delete(bs(prefix), DeleteOption.builder().isPrefix(true).build()).get(60, TimeUnit.SECONDS);
  }

  static void acquire(Semaphore slots, int n) throws InterruptedException {
    if (!slots.tryAcquire(n, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("etcd did not answer within 60 s");
    }
  }

  static Throughput checked(Throughput t, AtomicInteger errors) {
    if (errors.get() > 0) {
      throw new IllegalStateException(t.what() + ": " + errors.get() + " requests failed");
    }
    return t;
  }

  static String row(Throughput t) {
    return String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f |", t.what(), t.keys(), t.seconds(), t.rate());
  }

  static String latencyRow(String what, double[] ms, double rate) {
    List<Double> l = list(ms);
    return l.isEmpty() ? "| " + what + " | 0 | | | | |"
        : String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f |", what, l.size(), rate, pct(l, 50), pct(l, 99), pct(l, 100));
  }

  static List<Double> list(double[] a) {
    List<Double> l = new ArrayList<>();
    for (double d : a) {
      l.add(d);
    }
    return l;
  }

  static double[] array(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static ResourceDefinitionContext crd(String plural, String kind) {
    return new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2").withPlural(plural).withKind(kind)
        .withNamespaced(false).build();
  }
}
