package io.meshfed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * N sequential joins (default 50) against N simulated clusters through the real CLI, the real
 * in-process controller and real etcd with mTLS; reports p50/p99 of the whole join and, measured
 * in the same run on the same etcd, the raw latency of one 4-operation compare-and-swap
 * transaction (the shape of the registration), so the ratio shows what meshfed adds on top.
 * Run with {@code bench/run join [N]}.
 */
public final class JoinBenchmark {
  private JoinBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Path dir = Files.createTempDirectory("meshfed-join-bench-");
    MeshHarness mesh = MeshHarness.prepare(dir);
    SimulatedClusters.Builder b = SimulatedClusters.builder().nodes(3).identities(10).endpoints(20).services(2);
    for (int i = 1; i <= n; i++) {
      b.cluster("c" + i, i);
    }
    try (EtcdCluster etcd = EtcdCluster.singleNode().withTls(mesh.etcdTls()).start();
        SimulatedClusters sims = b.start()) {
      CliRunner.Result boot = mesh.bootstrap(etcd.clientEndpoints());
      if (boot.exit() != 0) {
        throw new IllegalStateException(boot.toString());
      }
      mesh.startController();
      List<Double> joins = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        var created = new ObjectMapper().readTree(mesh.cli().run("token", "create", "-o", "json").out());
        long t0 = System.nanoTime();
        CliRunner.Result r = new CliRunner(MeshHarness.ENV).run("join", "--controller", mesh.url(), "--token", created.get("token").asText(),
            "--ca-hash", created.get("caHash").asText(), "--kubeconfig", sims.cluster("c" + i).kubeconfig().toString(),
            "--cluster-name", "c" + i, "--cluster-id", String.valueOf(i));
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.exit() != 0) {
          throw new IllegalStateException("join c" + i + " failed: " + r);
        }
        joins.add(ms);
        System.err.printf(Locale.ROOT, "join c%d: %.0f ms%n", i, ms);
      }
      List<Double> txns = rawTxnLatencies(mesh, etcd, 200);
      mesh.close();
      System.out.printf(Locale.ROOT, "| measure | n | p50 ms | p99 ms |%n|---|---:|---:|---:|%n");
      System.out.printf(Locale.ROOT, "| meshfed join (CLI, pre-flight, provisioning, registration, certificates) | %d | %.1f | %.1f |%n", n, pct(joins, 50), pct(joins, 99));
      System.out.printf(Locale.ROOT, "| raw etcd 4-op CAS transaction, same etcd, same run | %d | %.2f | %.2f |%n", txns.size(), pct(txns, 50), pct(txns, 99));
      System.out.printf(Locale.ROOT, "ratio join/raw-txn at p50: %.0fx%n", pct(joins, 50) / pct(txns, 50));
    }
  }

  private static List<Double> rawTxnLatencies(MeshHarness mesh, EtcdCluster etcd, int count) throws Exception {
    List<Double> out = new ArrayList<>();
    try (MeshStore s = new MeshStore(new EtcdAccess(etcd.clientEndpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect())) {
      var kv = s.client().getKVClient();
      for (int i = 0; i < count; i++) {
        ByteSequence k = ByteSequence.from("bench/raw/" + i, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
            .Then(Op.put(k, k, PutOption.DEFAULT),
                Op.put(ByteSequence.from("bench/raw-id/" + i, StandardCharsets.UTF_8), k, PutOption.DEFAULT),
                Op.put(ByteSequence.from("bench/raw-uid/" + i, StandardCharsets.UTF_8), k, PutOption.DEFAULT),
                Op.put(ByteSequence.from("bench/raw-token/" + i, StandardCharsets.UTF_8), k, PutOption.DEFAULT))
            .commit().get(10, TimeUnit.SECONDS);
        out.add((System.nanoTime() - t0) / 1e6);
      }
    }
    return out;
  }

  static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
  }
}
