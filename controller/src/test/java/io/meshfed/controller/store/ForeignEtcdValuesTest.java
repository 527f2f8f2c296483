package io.meshfed.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.controller.testing.RawApi;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values written by someone else under {@code meshfed/} and {@code cilium/}: lists skip them (logged
 * and counted on /metrics), a read of the one bad key is a 4xx naming it, and a member's running
 * sync session goes on as if nothing happened.
 */
@DisplayName("Foreign etcd values under meshfed/ and cilium/: skipped and counted, never failing a list, a health answer or a sync session")
class ForeignEtcdValuesTest {
  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static Vertx vertx;
  static RawApi api;
  static Client root;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    sims = mesh.startWithMembers(etcd.endpoints(), Map.of("MESHFED_REPORT_INTERVAL_SECONDS", "1"), "c1");
    vertx = Vertx.vertx();
    api = new RawApi(vertx, mesh);
    root = new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect();
  }

  @AfterAll
  static void stop() throws Exception {
    if (root != null) {
      root.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static void put(String key, String value) throws Exception {
    root.getKVClient().put(bs(key), bs(value)).get(30, TimeUnit.SECONDS);
  }

  static String value(String key) throws Exception {
    return root.getKVClient().get(bs(key)).get(30, TimeUnit.SECONDS).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
  }

  /** Keys under cilium/ that name c1: what its sync session writes. */
  static List<String> c1Keys() throws Exception {
    KV kv = root.getKVClient();
    List<String> out = new ArrayList<>();
    kv.get(bs("cilium/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get(30, TimeUnit.SECONDS).getKvs()
        .forEach(k -> out.add(k.getKey().toString(StandardCharsets.UTF_8)));
    return out.stream().filter(k -> k.contains("/c1")).toList();
  }

  static double skippedMetric() throws Exception {
    RawApi.Answer m = api.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    for (String line : m.body().split("\n")) {
      if (line.startsWith("meshfed_foreign_values_skipped_total")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no meshfed_foreign_values_skipped_total in /metrics");
  }

  @Test
  @DisplayName("garbage member, token, policy, health and cache values: lists answer 200 without them, the bad key alone is a 4xx naming it, c1 keeps syncing")
  void foreignValuesAreSkipped() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(() -> !c1Keys().isEmpty());
    List<String> syncedBefore = c1Keys();
    double skippedBefore = skippedMetric();

    String c1Record = value("meshfed/clusters/c1");
    put("meshfed/clusters/zz-not-json", "this is not JSON {");
    put("meshfed/clusters/zz-wrong-shape", "[1, 2, 3]");
    put("meshfed/clusters/zz-other-name", c1Record); // a copy of c1's record under another name
    put("meshfed/tokens/zzzzzz", "\u0000\u0001");
    put("meshfed/policies/zz-junk", "{\"key\": 5}");
    put("meshfed/health/agents/zz", "{");
    put("meshfed/health/agents/zz-impostor", "{\"cluster\":\"c1\"}");
    put("cilium/cache/services/v1/ghost/default/svc", "garbage");
    put("cilium/cache/nodes/v1/ghost/n1", "{}");

    // Lists answer 200 and show only what meshfed wrote.
    RawApi.Answer clusters = api.get("/api/v1/clusters");
    assertThat(clusters.status()).as(clusters.brief()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    clusters.json().get("clusters").forEach(c -> names.add(c.get("name").asText()));
    assertThat(names).containsExactly("c1");
    for (String path : new String[] {"/api/v1/tokens", "/api/v1/services", "/api/v1/policies", "/api/v1/policy-status", "/api/v1/health",
        "/api/v1/clusters/c1/health", "/api/v1/clusters/c1/sync"}) {
      RawApi.Answer a = api.get(path);
      assertThat(a.status()).as(path + ": " + a.brief()).isEqualTo(200);
    }
    JsonNode health = api.get("/api/v1/health").json();
    assertThat(health.toString()).doesNotContain("zz");
    // The one bad key read by name: a 4xx (never a 500) that names the key.
    RawApi.Answer bad = api.get("/api/v1/clusters/zz-not-json");
    assertThat(bad.status()).as(bad.brief()).isBetween(400, 499);
    assertThat(bad.json().path("field").asText() + bad.json().path("message").asText()).contains("meshfed/clusters/zz-not-json");
    // Skipped values are counted.
    assertThat(skippedMetric()).isGreaterThan(skippedBefore);

    // c1's session goes on: its keys stay and its status answers.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(c1Keys()).containsAll(syncedBefore));
    JsonNode sync = api.get("/api/v1/clusters/c1/sync").json();
    assertThat(sync.path("cluster").asText()).isEqualTo("c1");
    assertThat(api.get("/livez").status()).isEqualTo(200);
  }
}
