package io.meshfed.bench;

import static io.meshfed.bench.JoinBenchmark.pct;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.report.Backoff;
import io.meshfed.agent.report.ReportStream;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.NodeStatus;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import io.meshfed.api.health.v1.PolicyKind;
import io.meshfed.api.health.v1.PolicyStatus;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.Records;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run health [seconds] [agents]}: many agents reporting every second to one controller.
 *
 * <p>One etcd (TLS, client-cert auth), the controller as its own JVM (report interval 1 s), one
 * real member (a simulated cluster joined through the CLI, with a real agent process), and
 * {@code agents - 1} more members registered directly in etcd (a benchmark shortcut: they have no
 * member API, so their sync sessions do not run), each with its own agent certificate and its own
 * gRPC stream, all simulated in this process with the agent's own {@link ReportStream}. Measured
 * during the reporting period: the controller's CPU, the latency of {@code GET /api/v1/health}
 * (polled by one client, one request at a time), the report age the API shows for every member
 * (freshness); after it: the real agent's heap and RSS.
 */
public final class HealthBenchmark {
  /** Serial GC prints one line per generation ("def new generation total ..K, used ..K", "tenured generation ..."). */
  static final Pattern GENERATION_USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int agents = args.length > 1 ? Integer.parseInt(args[1]) : 255;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
    Path dir = Files.createTempDirectory("meshfed-health-bench-");
    MeshHarness mesh = MeshHarness.prepare(dir);
    List<String> out = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.singleNode().withTls(mesh.etcdTls()).start();
        SimulatedClusters sims = SimulatedClusters.builder().cluster("c1", 1).nodes(3).identities(20).endpoints(40).services(2).start();
        Client root = new EtcdAccess(etcd.clientEndpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect()) {
      CliRunner.Result boot = mesh.bootstrap(etcd.clientEndpoints());
      if (boot.exit() != 0) {
        throw new IllegalStateException(boot.toString());
      }
      Instant now = Instant.now();
      for (int i = 2; i <= agents; i++) {
        String name = "m" + i;
        ClusterRecord r = new ClusterRecord(name, i, "uid-" + name, Map.of(), List.of(), ClusterRecord.State.JOINED, now, "bench", null,
            now.plus(Duration.ofDays(30)), null, List.of(), now.plus(Duration.ofDays(365)), "bench", null, null, null, null);
        root.getKVClient().put(bytes(MeshKeys.cluster(name)), ByteSequence.from(Records.toJson(r))).get(30, TimeUnit.SECONDS);
      }
      ControllerProcess controller = mesh.startControllerProcess(Map.of("MESHFED_REPORT_INTERVAL_SECONDS", "1", "MESHFED_LOG_LEVEL", "WARN"));
      CliRunner.Result join = mesh.join(sims, "c1", 1);
      if (join.exit() != 0) {
        throw new IllegalStateException("join c1: " + join);
      }
      Path agentDir = writeAgentCerts(sims, dir.resolve("agent-c1"));
      Process realAgent = new ProcessBuilder(Path.of("agent/target/meshfed-agent/bin/meshfed-agent").toAbsolutePath().toString(),
          "--controller", "localhost:" + controller.grpcPort(), "--cert-dir", agentDir.toString(),
          "--kubeconfig", sims.cluster("c1").kubeconfig().toString(), "--interval", "1")
          .redirectErrorStream(true).redirectOutput(dir.resolve("agent-c1.log").toFile()).start();

      Vertx vertx = Vertx.vertx();
      CertificateIssuer issuer = CertificateIssuer.systemDefault();
      List<ReportStream> streams = new ArrayList<>();
      SocketAddress address = SocketAddress.inetSocketAddress(controller.grpcPort(), "localhost");
      for (int i = 2; i <= agents; i++) {
        String name = "m" + i;
        CertifiedKey key = issuer.issueLeaf(mesh.mesh.pki.root(), LeafSpec.client("agent." + name), KeyType.EC_P256);
        ReportStream s = new ReportStream(vertx, address, new AgentCredentials(key, mesh.mesh.bundle(), name, new byte[0]), Clock.systemUTC(),
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), new Random(i)), interval -> { });
        streams.add(s);
        s.start();
      }
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      AtomicLong tick = new AtomicLong();
      ticker.scheduleAtFixedRate(() -> {
        long t = tick.incrementAndGet();
        for (int i = 0; i < streams.size(); i++) {
          streams.get(i).offer(report("m" + (i + 2), t));
        }
      }, 0, 1, TimeUnit.SECONDS);

      // Warm up until every member shows a fresh report, then measure.
      ApiClient api = mesh.api();
      long warm = System.nanoTime();
      while (fresh(api.get("/api/v1/health"), 3) < agents) {
        if (System.nanoTime() - warm > TimeUnit.MINUTES.toNanos(5)) {
          throw new IllegalStateException("not every agent reported within 5 minutes: " + fresh(api.get("/api/v1/health"), 3) + " of " + agents);
        }
        Thread.sleep(500);
      }
      double warmup = (System.nanoTime() - warm) / 1e9;
      Path stat = Path.of("/proc", String.valueOf(controller.pid()), "stat");
      long cpu0 = SyncBenchmark.cpuTicks(stat);
      long t0 = System.nanoTime();
      List<Double> latencies = new ArrayList<>();
      List<Double> ages = new ArrayList<>();
      long acked0 = streams.stream().mapToLong(s -> s.status().lastAckedSequence()).sum();
      while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds)) {
        long q = System.nanoTime();
        JsonNode h = api.get("/api/v1/health");
        latencies.add((System.nanoTime() - q) / 1e6);
        for (JsonNode c : h.get("clusters")) {
          if (c.hasNonNull("reportAgeSeconds")) {
            ages.add(c.get("reportAgeSeconds").asDouble());
          }
        }
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      long cpu1 = SyncBenchmark.cpuTicks(stat);
      long acked1 = streams.stream().mapToLong(s -> s.status().lastAckedSequence()).sum();
      long refusals = streams.stream().mapToLong(s -> s.status().refusals()).sum();
      ticker.shutdownNow();

      long agentPid = realAgentPid(realAgent);
      String rssLine = Files.readAllLines(Path.of("/proc", String.valueOf(agentPid), "status")).stream()
          .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM")).reduce((a, b) -> a + "; " + b).orElse("?");
      String heapInfo = SyncBenchmark.jcmd(agentPid, "GC.heap_info");
      Matcher m = GENERATION_USED.matcher(heapInfo);
      long agentHeapKb = 0;
      while (m.find()) {
        agentHeapKb += Long.parseLong(m.group(1));
      }
      long ticksPerSecond = 100;

      latencies.sort(null);
      ages.sort(null);
      out.add(String.format(Locale.ROOT, "%d agents (%d simulated in this process, each with its own certificate and stream; 1 real agent process), "
          + "reports every 1 s, measured for %.0f s after a warm-up of %.1f s; load %s", agents, agents - 1, elapsed, warmup, SyncBenchmark.load()));
      out.add("");
      out.add("| measure | value |");
      out.add("|---|---:|");
      out.add(String.format(Locale.ROOT, "| reports acked per second (simulated agents) | %.0f |", (acked1 - acked0) / elapsed));
      out.add(String.format(Locale.ROOT, "| refusals during the run | %d |", refusals));
      out.add(String.format(Locale.ROOT, "| controller CPU (share of one core) | %.0f%% |", 100.0 * (cpu1 - cpu0) / ticksPerSecond / elapsed));
      out.add(String.format(Locale.ROOT, "| GET /api/v1/health: requests | %d |", latencies.size()));
      out.add(String.format(Locale.ROOT, "| GET /api/v1/health: p50 / p99 / max ms | %.1f / %.1f / %.1f |", pct(latencies, 50), pct(latencies, 99),
          latencies.get(latencies.size() - 1)));
      out.add(String.format(Locale.ROOT, "| report age shown by the API (freshness): p50 / p99 / max s | %.0f / %.0f / %.0f |", pct(ages, 50), pct(ages, 99),
          ages.get(ages.size() - 1)));
      out.add(String.format(Locale.ROOT, "| real agent: heap used after %.0f s (jcmd GC.heap_info, all generations) | %.1f MB |", elapsed + warmup, agentHeapKb / 1024.0));
      out.add("| real agent: " + rssLine.replace("\t", " ").replaceAll(" +", " ") + " |  |");
      streams.forEach(ReportStream::stop);
      realAgent.destroy();
      controller.close();
      api.close();
      vertx.close();
    }
    System.out.println(String.join("\n", out));
  }

  /** Members whose last report is at most {@code maxAge} seconds old. */
  static long fresh(JsonNode health, int maxAge) {
    long n = 0;
    for (JsonNode c : health.get("clusters")) {
      if (c.hasNonNull("reportAgeSeconds") && c.get("reportAgeSeconds").asLong() <= maxAge) {
        n++;
      }
    }
    return n;
  }

  /** The launcher script execs java, but a wrapper may remain: take the JVM. */
  static long realAgentPid(Process launcher) {
    return launcher.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).map(ProcessHandle::pid)
        .findFirst().orElse(launcher.pid());
  }

  static Path writeAgentCerts(SimulatedClusters sims, Path dir) throws Exception {
    Files.createDirectories(dir);
    try (KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster("c1").kubeconfig(), null)) {
      Secret s = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
      for (String f : List.of("ca.crt", "tls.crt", "tls.key")) {
        Path p = dir.resolve(f);
        Files.write(p, Base64.getDecoder().decode(s.getData().get(f)));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      }
    }
    return dir;
  }

  /** What a member's agent says: a small healthy cluster, five managed policies, two certificates. */
  static HealthReport report(String cluster, long tick) {
    HealthReport.Builder b = HealthReport.newBuilder().setAgentVersion("bench").setClusterName(cluster)
        .setKubernetes(KubernetesStatus.newBuilder().setReachable(true).setLatencyMs(3 + tick % 5))
        .setCilium(CiliumStatus.newBuilder().setDaemonsetDesired(3).setDaemonsetReady(3).setConfigClusterName(cluster))
        .setNodes(NodeStatus.newBuilder().setReady(3).setTotal(3))
        .setCounts(ObjectCounts.newBuilder().setIdentities(count(120)).setEndpoints(count(400)).setCiliumNodes(count(3)).setGlobalServices(count(4)))
        .addCertificates(CertificateStatus.newBuilder().setName("tls.crt").setSource(CertificateSource.CERTIFICATE_SOURCE_MOUNTED)
            .setNotAfter(Instant.now().plus(Duration.ofDays(300)).getEpochSecond()).setSubject("CN=agent." + cluster))
        .addCertificates(CertificateStatus.newBuilder().setName("ca.crt").setSource(CertificateSource.CERTIFICATE_SOURCE_MOUNTED)
            .setNotAfter(Instant.now().plus(Duration.ofDays(3000)).getEpochSecond()).setSubject("CN=meshfed root test v1"));
    for (int p = 0; p < 5; p++) {
      b.addPolicies(PolicyStatus.newBuilder().setName("policy-" + p).setNamespace("default")
          .setKind(PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY).setGeneration(1).setHash("sha256:" + "0".repeat(64)));
    }
    return b.build();
  }

  static ObjectCount count(long n) {
    return ObjectCount.newBuilder().setCount(n).setExact(true).build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
