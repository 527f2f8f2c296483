package io.meshfed.charts;

import static io.meshfed.charts.Manifests.at;
import static io.meshfed.charts.Manifests.container;
import static io.meshfed.charts.Manifests.env;
import static io.meshfed.charts.Manifests.has;
import static io.meshfed.charts.Manifests.kind;
import static io.meshfed.charts.Manifests.map;
import static io.meshfed.charts.Manifests.maps;
import static io.meshfed.charts.Manifests.one;
import static io.meshfed.charts.Manifests.podSpec;
import static io.meshfed.charts.Manifests.strings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The controller chart: the process contract (config file, env, ports, probes) and the bundled etcd. */
class ControllerChartTest {
  private static final String FULLNAME = "mf-meshfed-controller";
  private static final String ETCD = FULLNAME + "-etcd";
  private static final String BUNDLED = """
      etcd:
        bundled:
          enabled: true
      """;
  /** The keys ControllerConfig accepts (it refuses unknown keys). */
  private static final Set<String> CONFIG_KEYS = Set.of("mesh", "listen", "advertiseUrl", "etcd", "tls", "passphraseFile",
      "workerPoolSize", "leaveGraceSeconds", "cacheTtlSeconds", "grpcPort", "reportIntervalSeconds");

  private static Map<String, Object> deployment(List<Map<String, Object>> objects) {
    return one(objects, "Deployment", FULLNAME);
  }

  private static Map<String, Object> controllerYaml(List<Map<String, Object>> objects) {
    Object text = map(at(one(objects, "ConfigMap", FULLNAME), "data")).get("controller.yaml");
    assertThat(text).as("ConfigMap data controller.yaml").isInstanceOf(String.class);
    return map(new Yaml(new SafeConstructor(new LoaderOptions())).load((String) text));
  }

  @Test
  void runsTheControllerWithItsConfigFileAndEnvironment() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, "");
    Map<String, Object> c = container(deployment(objects), "controller");
    assertThat(c.get("image")).isEqualTo("ghcr.io/meshfed/meshfed:0.1.0");
    assertThat(strings(c.get("command"))).containsExactly("meshfed");
    assertThat(strings(c.get("args"))).containsExactly("controller", "--config", "/etc/meshfed/config/controller.yaml");
    assertThat(env(c))
        .containsEntry("MESHFED_LISTEN_HOST", "0.0.0.0")
        .containsEntry("MESHFED_LISTEN_PORT", "8443")
        .containsEntry("MESHFED_GRPC_PORT", "9443")
        .containsEntry("MESHFED_ETCD_ENDPOINTS", "https://etcd-0.etcd.example:2379")
        .containsEntry("MESHFED_LEAVE_GRACE_SECONDS", "180")
        .containsEntry("MESHFED_CACHE_TTL_SECONDS", "0")
        .containsEntry("MESHFED_REPORT_INTERVAL_SECONDS", "10")
        .containsEntry("MESHFED_LEADER_LEASE_SECONDS", "15")
        .containsKey("MESHFED_JAVA_OPTS")
        .doesNotContainKey("MESHFED_CA_PASSPHRASE");
    assertThat(maps(c.get("ports"))).extracting(p -> p.get("name") + ":" + p.get("containerPort")).containsExactly("https:8443", "grpc:9443");

    Map<String, Object> config = controllerYaml(objects);
    assertThat(CONFIG_KEYS).containsAll(config.keySet());
    assertThat(config).containsEntry("mesh", "prod").containsEntry("passphraseFile", "/etc/meshfed/passphrase/passphrase")
        .containsEntry("workerPoolSize", 8);
    assertThat(map(config.get("tls"))).containsEntry("certFile", "/etc/meshfed/tls/tls.crt")
        .containsEntry("keyFile", "/etc/meshfed/tls/tls.key").containsEntry("trustedCaFile", "/etc/meshfed/mesh-ca/ca.crt");
    assertThat(map(config.get("etcd"))).containsEntry("certFile", "/etc/meshfed/etcd/tls.crt")
        .containsEntry("keyFile", "/etc/meshfed/etcd/tls.key").containsEntry("trustedCaFile", "/etc/meshfed/etcd/ca.crt");
  }

  @Test
  void everyFileTheConfigNamesIsMounted() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, "");
    Map<String, Object> c = container(deployment(objects), "controller");
    Map<String, Object> config = controllerYaml(objects);
    List<String> files = List.of(String.valueOf(config.get("passphraseFile")),
        String.valueOf(at(config, "tls.certFile")), String.valueOf(at(config, "tls.keyFile")), String.valueOf(at(config, "tls.trustedCaFile")),
        String.valueOf(at(config, "etcd.certFile")), String.valueOf(at(config, "etcd.keyFile")), String.valueOf(at(config, "etcd.trustedCaFile")));
    Map<String, Object> pod = podSpec(deployment(objects));
    for (String file : files) {
      String dir = file.substring(0, file.lastIndexOf('/'));
      String key = file.substring(file.lastIndexOf('/') + 1);
      Map<String, Object> mount = maps(c.get("volumeMounts")).stream().filter(m -> dir.equals(m.get("mountPath"))).findFirst()
          .orElseThrow(() -> new AssertionError("nothing mounted at " + dir));
      assertThat(mount.get("readOnly")).as(dir).isEqualTo(true);
      Map<String, Object> volume = maps(pod.get("volumes")).stream().filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
      assertThat(maps(at(volume, "secret.items"))).as(file).anySatisfy(i -> assertThat(i.get("path")).isEqualTo(key));
    }
    assertThat(maps(pod.get("volumes"))).filteredOn(v -> v.containsKey("secret"))
        .extracting(v -> String.valueOf(at(v, "secret.secretName")))
        .containsExactlyInAnyOrder(FULLNAME + "-server-tls", FULLNAME + "-mesh-ca", FULLNAME + "-etcd-client", FULLNAME + "-ca-passphrase");
  }

  @Test
  void passphraseAsEnvOnlyWhenAskedFor() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, "caPassphrase:\n  mountAs: env\n  secretName: pp\n  key: secret\n");
    Map<String, Object> c = container(deployment(objects), "controller");
    Map<String, Object> pp = maps(c.get("env")).stream().filter(e -> "MESHFED_CA_PASSPHRASE".equals(e.get("name"))).findFirst().orElseThrow();
    assertThat(at(pp, "valueFrom.secretKeyRef.name")).isEqualTo("pp");
    assertThat(at(pp, "valueFrom.secretKeyRef.key")).isEqualTo("secret");
    assertThat(controllerYaml(objects)).doesNotContainKey("passphraseFile");
    assertThat(maps(c.get("volumeMounts"))).noneMatch(m -> String.valueOf(m.get("mountPath")).contains("passphrase"));
  }

  @Test
  void probesUseHttpsWithoutClientCertificates() {
    Map<String, Object> c = container(deployment(Charts.render(Charts.CONTROLLER, "")), "controller");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(at(c, probe + ".httpGet.scheme")).as(probe).isEqualTo("HTTPS");
      assertThat(at(c, probe + ".httpGet.port")).as(probe).isEqualTo("https");
    }
    assertThat(at(c, "livenessProbe.httpGet.path")).isEqualTo("/livez");
    assertThat(at(c, "readinessProbe.httpGet.path")).isEqualTo("/readyz");
  }

  @Test
  void needsNoRbacAndMountsNoToken() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, BUNDLED);
    assertThat(objects).noneMatch(o -> kind(o).endsWith("Role") || kind(o).endsWith("RoleBinding"));
    assertThat(one(objects, "ServiceAccount", FULLNAME).get("automountServiceAccountToken")).isEqualTo(false);
    for (Map<String, Object> w : Manifests.workloads(objects)) {
      assertThat(podSpec(w).get("automountServiceAccountToken")).as(Manifests.describe(w)).isEqualTo(false);
    }
  }

  @Test
  void replicasDefaultToOneAndRollWithTheLeaderHandingOver() {
    Map<String, Object> d = deployment(Charts.render(Charts.CONTROLLER, ""));
    assertThat(at(d, "spec.replicas")).isEqualTo(1);
    // Leader election makes an overlap safe: the old pod revokes its lease on SIGTERM.
    assertThat(at(d, "spec.strategy.type")).isEqualTo("RollingUpdate");
    assertThat(at(deployment(Charts.render(Charts.CONTROLLER, "updateStrategy:\n  type: Recreate\n")), "spec.strategy.type")).isEqualTo("Recreate");
    assertThat(at(deployment(Charts.render(Charts.CONTROLLER, "replicas: 3\n")), "spec.replicas")).isEqualTo(3);
  }

  @Test
  void serviceExposesTheApiAndGrpcPorts() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, "");
    assertThat(maps(at(one(objects, "Service", FULLNAME), "spec.ports")))
        .extracting(p -> p.get("name") + ":" + p.get("port") + "->" + p.get("targetPort"))
        .containsExactly("https:8443->https", "grpc:9443->grpc");
    assertThat(at(one(objects, "PodDisruptionBudget", FULLNAME), "spec.maxUnavailable")).isEqualTo(1);
  }

  @Test
  void bundledEtcdIsThreeMembersWithCertificateAuthEverywhere() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, BUNDLED);
    Map<String, Object> sts = one(objects, "StatefulSet", ETCD);
    assertThat(at(sts, "spec.replicas")).isEqualTo(3);
    assertThat(at(sts, "spec.serviceName")).isEqualTo(ETCD + "-headless");
    assertThat(at(sts, "spec.podManagementPolicy")).isEqualTo("Parallel");
    Map<String, Object> etcd = container(sts, "etcd");
    List<String> args = strings(etcd.get("args"));
    assertThat(args).contains("--client-cert-auth", "--peer-client-cert-auth",
        "--trusted-ca-file=/etc/etcd/tls/server/ca.crt", "--cert-file=/etc/etcd/tls/server/tls.crt", "--key-file=/etc/etcd/tls/server/tls.key",
        "--peer-trusted-ca-file=/etc/etcd/tls/peer/ca.crt", "--peer-cert-file=/etc/etcd/tls/peer/tls.crt", "--peer-key-file=/etc/etcd/tls/peer/tls.key",
        "--listen-client-urls=https://0.0.0.0:2379", "--listen-peer-urls=https://0.0.0.0:2380", "--initial-cluster-state=new");
    assertThat(args).noneMatch(a -> a.contains("http://0.0.0.0:2379") || a.contains("http://0.0.0.0:2380") || a.contains("auto-tls"));
    String domain = ETCD + "-headless.meshfed.svc.cluster.local";
    assertThat(args).contains("--initial-cluster=" + ETCD + "-0=https://" + ETCD + "-0." + domain + ":2380,"
        + ETCD + "-1=https://" + ETCD + "-1." + domain + ":2380," + ETCD + "-2=https://" + ETCD + "-2." + domain + ":2380");
    assertThat(at(etcd, "livenessProbe.httpGet.port")).isEqualTo("metrics");

    assertThat(maps(at(sts, "spec.volumeClaimTemplates"))).singleElement().satisfies(pvc -> {
      assertThat(at(pvc, "metadata.name")).isEqualTo("data");
      assertThat(at(pvc, "spec.resources.requests.storage")).isEqualTo("8Gi");
      assertThat(map(at(pvc, "metadata.labels"))).doesNotContainKey("app.kubernetes.io/version");
    });
    Map<String, Object> headless = one(objects, "Service", ETCD + "-headless");
    assertThat(at(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat(at(headless, "spec.publishNotReadyAddresses")).isEqualTo(true);
    assertThat(at(one(objects, "PodDisruptionBudget", ETCD), "spec.maxUnavailable")).isEqualTo(1);

    assertThat(env(container(deployment(objects), "controller")).get("MESHFED_ETCD_ENDPOINTS"))
        .isEqualTo("https://" + ETCD + "-0." + domain + ":2379,https://" + ETCD + "-1." + domain + ":2379,https://" + ETCD + "-2." + domain + ":2379");
  }

  @Test
  void withoutBundledEtcdThereIsNoEtcdObject() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, "");
    assertThat(objects).noneMatch(o -> Manifests.name(o).startsWith(ETCD));
  }

  @Test
  void networkPolicyOpensOnlyTheApiAndGrpcPortsAndEtcdOnlyToTheController() {
    List<Map<String, Object>> objects = Charts.render(Charts.CONTROLLER, BUNDLED + """
        networkPolicy:
          apiFrom:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: admin
        """);
    Map<String, Object> np = one(objects, "NetworkPolicy", FULLNAME);
    assertThat(strings(at(np, "spec.policyTypes"))).containsExactly("Ingress");
    List<Map<String, Object>> ingress = maps(at(np, "spec.ingress"));
    assertThat(ingress).flatExtracting(r -> maps(r.get("ports"))).extracting(p -> p.get("port")).containsExactly(8443, 9443);
    assertThat(maps(ingress.get(0).get("from"))).singleElement()
        .satisfies(p -> assertThat(at(p, "namespaceSelector.matchLabels")).isEqualTo(Map.of("kubernetes.io/metadata.name", "admin")));

    Map<String, Object> etcd = one(objects, "NetworkPolicy", ETCD);
    List<Map<String, Object>> rules = maps(at(etcd, "spec.ingress"));
    assertThat(rules).hasSize(2);
    assertThat(maps(rules.get(0).get("ports"))).extracting(p -> p.get("port")).containsExactly(2379);
    assertThat(maps(rules.get(0).get("from"))).singleElement()
        .satisfies(p -> assertThat(map(at(p, "podSelector.matchLabels"))).containsEntry("app.kubernetes.io/component", "controller"));
    assertThat(maps(rules.get(1).get("ports"))).extracting(p -> p.get("port")).containsExactly(2380);
    assertThat(maps(rules.get(1).get("from"))).singleElement()
        .satisfies(p -> assertThat(map(at(p, "podSelector.matchLabels"))).containsEntry("app.kubernetes.io/component", "etcd"));

    assertThat(has(Charts.render(Charts.CONTROLLER, "networkPolicy:\n  enabled: false\n"), "NetworkPolicy", FULLNAME)).isFalse();
    Map<String, Object> restricted = one(Charts.render(Charts.CONTROLLER, "networkPolicy:\n  egress:\n    restrict: true\n"), "NetworkPolicy", FULLNAME);
    assertThat(strings(at(restricted, "spec.policyTypes"))).containsExactly("Ingress", "Egress");
  }
}
