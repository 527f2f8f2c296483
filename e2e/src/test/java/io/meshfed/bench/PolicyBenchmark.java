package io.meshfed.bench;

import static io.meshfed.bench.JoinBenchmark.pct;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.cli.CliRunner;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.testing.ControllerProcess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.testkit.etcd.EtcdCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run policy [policies] [clusters] [drifts]}: mesh policies pushed to many members.
 *
 * <p>One etcd, the controller as its own JVM, {@code clusters} simulated clusters (one JVM each)
 * joined through the CLI. {@code policies} CiliumNetworkPolicies (a mix of L3, L4 and L7 rules,
 * every one placed on every member) are applied with one {@code meshfed policy apply -f DIR}; the
 * time to converge runs from the command's start until {@code GET /api/v1/policy-status} shows every
 * (policy, member) InSync, checked against the members themselves (each holds every policy with
 * meshfed's label). Then {@code drifts} times a random managed policy in a random member is edited
 * (its port changed, as {@code kubectl edit} would); drift-restore latency runs from the edit's
 * answer until the member holds the mesh's version again (polled every 20 ms).
 */
public final class PolicyBenchmark {
  static final ResourceDefinitionContext CNP = new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2")
      .withPlural("ciliumnetworkpolicies").withKind("CiliumNetworkPolicy").withNamespaced(true).build();
  static final String NAMESPACE = "bench";

  public static void main(String[] args) throws Exception {
    int policies = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int clusters = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int drifts = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy)));
    Path dir = Files.createTempDirectory("meshfed-policy-bench-");
    MeshHarness mesh = MeshHarness.prepare(dir);
    SimulatedClusters.Builder b = SimulatedClusters.builder().nodes(1).identities(2).endpoints(2).services(1)
        .jvmOption("-Xmx256m").jvmOption("-XX:+UseSerialGC").readyTimeout(java.time.Duration.ofMinutes(10));
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= clusters; i++) {
      names.add("c" + i);
      b.cluster("c" + i, i);
    }
    List<String> out = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.singleNode().withTls(mesh.etcdTls()).start(); SimulatedClusters sims = b.start()) {
      CliRunner.Result boot = mesh.bootstrap(etcd.clientEndpoints());
      if (boot.exit() != 0) {
        throw new IllegalStateException(boot.toString());
      }
      ControllerProcess controller = mesh.startControllerProcess(Map.of("MESHFED_LOG_LEVEL", "WARN"));
      long joinStart = System.nanoTime();
      for (int i = 1; i <= clusters; i++) {
        CliRunner.Result r = mesh.join(sims, "c" + i, i);
        if (r.exit() != 0) {
          throw new IllegalStateException("join c" + i + ": " + r);
        }
      }
      double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
      Map<String, KubernetesClient> admins = new LinkedHashMap<>();
      for (String c : names) {
        KubernetesClient k = MemberConnection.fromKubeconfig(sims.cluster(c).kubeconfig(), null);
        k.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
            .createOr(x -> x.update());
        admins.put(c, k);
      }
      Path policyDir = Files.createDirectories(dir.resolve("policies"));
      for (int p = 0; p < policies; p++) {
        Files.writeString(policyDir.resolve(String.format(Locale.ROOT, "p%03d.yaml", p)), policy(p));
      }

      // 1. Apply and converge.
      long t0 = System.nanoTime();
      CliRunner.Result apply = mesh.cli().run("policy", "apply", "-f", policyDir.toString(), "-o", "json");
      double applySeconds = (System.nanoTime() - t0) / 1e9;
      if (apply.exit() != 0) {
        throw new IllegalStateException("apply: " + apply);
      }
      ApiClient api = mesh.api();
      int expected = policies * clusters;
      int inSync = 0;
      while (inSync < expected) {
        if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(15)) {
          throw new IllegalStateException("not converged within 15 minutes: " + inSync + " of " + expected + " InSync");
        }
        Thread.sleep(200);
        inSync = countInSync(api.get("/api/v1/policy-status"));
      }
      double convergeSeconds = (System.nanoTime() - t0) / 1e9;
      for (Map.Entry<String, KubernetesClient> e : admins.entrySet()) {
        int held = e.getValue().genericKubernetesResources(CNP).inNamespace(NAMESPACE)
            .withLabel("app.kubernetes.io/managed-by", "meshfed").list().getItems().size();
        if (held != policies) {
          throw new IllegalStateException(e.getKey() + " holds " + held + " managed policies, expected " + policies);
        }
      }

      // 2. Drift and restore.
      Random random = new Random(42);
      List<Double> restore = new ArrayList<>();
      int notRestored = 0;
      for (int d = 0; d < drifts; d++) {
        String c = names.get(random.nextInt(names.size()));
        String name = String.format(Locale.ROOT, "p%03d", random.nextInt(policies));
        KubernetesClient k = admins.get(c);
        GenericKubernetesResource obj = k.genericKubernetesResources(CNP).inNamespace(NAMESPACE).withName(name).get();
        String before = spec(obj);
        edit(obj, d);
        k.genericKubernetesResources(CNP).inNamespace(NAMESPACE).resource(obj).update();
        long edited = System.nanoTime();
        boolean back = false;
        while (System.nanoTime() - edited < TimeUnit.SECONDS.toNanos(60)) {
          GenericKubernetesResource now = k.genericKubernetesResources(CNP).inNamespace(NAMESPACE).withName(name).get();
          if (now != null && spec(now).equals(before)) {
            back = true;
            break;
          }
          Thread.sleep(20);
        }
        if (back) {
          restore.add((System.nanoTime() - edited) / 1e6);
        } else {
          notRestored++;
        }
      }
      restore.sort(null);
      out.add(String.format(Locale.ROOT, "%d policies (L3, L4 and L7 mixed) to %d simulated clusters (one JVM each), every policy placed on every member "
          + "(%d objects); joins took %.0f s; load %s", policies, clusters, expected, joinSeconds, SyncBenchmark.load()));
      out.add("");
      out.add("| measure | value |");
      out.add("|---|---:|");
      out.add(String.format(Locale.ROOT, "| `meshfed policy apply -f DIR` (validate, store in etcd) | %.1f s |", applySeconds));
      out.add(String.format(Locale.ROOT, "| from the apply's start until every (policy, member) is InSync | %.1f s |", convergeSeconds));
      out.add(String.format(Locale.ROOT, "| objects written to members per second | %.0f |", expected / convergeSeconds));
      out.add(String.format(Locale.ROOT, "| drift restore (member edit answered -> member holds the mesh's version): n / p50 / p99 / max ms | %d / %.0f / %.0f / %.0f |",
          restore.size(), pct(restore, 50), pct(restore, 99), restore.isEmpty() ? 0 : restore.get(restore.size() - 1)));
      out.add(String.format(Locale.ROOT, "| edits not restored within 60 s | %d |", notRestored));
      api.close();
      admins.values().forEach(KubernetesClient::close);
      controller.close();
    }
    System.out.println(String.join("\n", out));
  }

  static int countInSync(JsonNode status) {
    int n = 0;
    for (JsonNode p : status.path("policies")) {
      for (JsonNode c : p.path("clusters")) {
        if ("InSync".equals(c.path("state").asText())) {
          n++;
        }
      }
    }
    return n;
  }

  @SuppressWarnings("unchecked")
  static void edit(GenericKubernetesResource obj, int d) {
    Map<String, Object> spec = (Map<String, Object>) obj.getAdditionalProperties().get("spec");
    spec.put("description", "edited by hand " + d);
  }

  static String spec(GenericKubernetesResource obj) {
    return String.valueOf(obj.getAdditionalProperties().get("spec"));
  }

  /** Policy number {@code p}: an L3 allow, an L4 port rule or an L7 HTTP rule, by turns. */
  static String policy(int p) {
    String head = String.format(Locale.ROOT, """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: p%03d
          namespace: %s
        spec:
          endpointSelector:
            matchLabels:
              app: svc-%d
        """, p, NAMESPACE, p);
    return head + switch (p % 3) {
      case 0 -> String.format(Locale.ROOT, """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  app: client-%d
          """, p);
      case 1 -> String.format(Locale.ROOT, """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  app: client-%d
              toPorts:
              - ports:
                - port: "%d"
                  protocol: TCP
          """, p, 8000 + p);
      default -> String.format(Locale.ROOT, """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  app: client-%d
              toPorts:
              - ports:
                - port: "80"
                  protocol: TCP
                rules:
                  http:
                  - method: GET
                    path: "/api/v%d/.*"
          """, p, p % 5);
    };
  }
}
