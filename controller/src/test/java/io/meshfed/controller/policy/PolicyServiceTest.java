package io.meshfed.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.meshfed.controller.http.ApiException;
import io.meshfed.controller.policy.store.PolicyState;
import io.meshfed.controller.policy.store.PolicyStatusRecord;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.policy.validation.PolicyDocuments;
import io.meshfed.controller.policy.validation.PolicySource;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.Records;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Apply, diff, references, delete and status views over a real etcd (no members are contacted here). */
class PolicyServiceTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  Client client;
  MeshStore mesh;
  PolicyStore store;
  PolicyService service;
  final List<PolicyKey> changed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    client = ETCD.jetcdClient();
    client.getKVClient().delete(ByteSequence.from(MeshKeys.PREFIX, StandardCharsets.UTF_8), DeleteOption.builder().isPrefix(true).build()).get();
    member("c1", Map.of("env", "prod"));
    member("c2", Map.of("env", "prod"));
    member("c3", Map.of("env", "staging"));
    mesh = new MeshStore(client);
    store = new PolicyStore(client);
    service = new PolicyService(mesh, store, Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC),
        (Collection<PolicyKey> keys) -> changed.addAll(keys));
  }

  @AfterEach
  void reset() {
    changed.clear();
  }

  void member(String name, Map<String, String> labels) throws Exception {
    ClusterRecord c = new ClusterRecord(name, Integer.parseInt(name.substring(1)), "uid-" + name, labels, List.of(), ClusterRecord.State.JOINED,
        Instant.EPOCH, null, null, null, null, List.of(), null, null, null, null, null, null);
    client.getKVClient().put(ByteSequence.from(MeshKeys.cluster(name), StandardCharsets.UTF_8), ByteSequence.from(Records.toJson(c))).get();
  }

  static String cnp(String name, String namespace, String annotations, String app) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: %s
          annotations: {%s}
        spec:
          endpointSelector:
            matchLabels: {app: %s}
          ingress:
          - fromEndpoints:
            - matchLabels: {app: frontend}
        """.formatted(name, namespace, annotations, app);
  }

  static List<PolicySource> docs(String... yaml) {
    return PolicyDocuments.fromText("test.yaml", String.join("---\n", yaml));
  }

  @Test
  @DisplayName("apply creates at generation 1, the same content again is unchanged, a change is the next generation; the rollout is told what changed")
  void applyGenerations() {
    var r1 = service.apply(docs(cnp("a", "default", "", "x"), cnp("b", "default", "meshfed.io/cluster-selector: env=prod", "x")));
    assertThat(r1.documents()).extracting(PolicyService.Applied::action).containsExactly("created", "created");
    assertThat(r1.documents().get(0).clusters()).containsExactly("c1", "c2", "c3");
    assertThat(r1.documents().get(1).clusters()).containsExactly("c1", "c2");
    assertThat(changed).hasSize(2);
    changed.clear();
    var r2 = service.apply(docs(cnp("a", "default", "", "x")));
    assertThat(r2.documents().get(0).action()).isEqualTo("unchanged");
    assertThat(r2.documents().get(0).generation()).isEqualTo(1);
    assertThat(changed).as("nothing written, nothing to roll out").isEmpty();
    var r3 = service.apply(docs(cnp("a", "default", "", "y")));
    assertThat(r3.documents().get(0).action()).isEqualTo("configured");
    assertThat(r3.documents().get(0).generation()).isEqualTo(2);
    assertThat(changed).containsExactly(new PolicyKey(PolicyKind.CNP, "default", "a"));
  }

  @Test
  @DisplayName("one invalid document refuses the whole batch: every finding with its origin, nothing stored")
  void invalidBatchStoresNothing() {
    String bad = cnp("bad", "default", "", "x").replace("- matchLabels: {app: frontend}",
        "- matchLabels: {app: frontend}\n    toPorts: [{ports: [{port: \"80\", protocol: TCPX}]}]");
    assertThatThrownBy(() -> service.apply(docs(cnp("good", "default", "", "x"), bad)))
        .isInstanceOfSatisfying(PolicyRejected.class, e -> {
          assertThat(e.getMessage()).isEqualTo("1 of 2 documents is invalid; nothing was stored");
          assertThat(e.errors()).isNotEmpty().allSatisfy(p -> assertThat(p.origin()).isEqualTo("test.yaml#1"));
          assertThat(e.errors()).anySatisfy(p -> assertThat(p.field()).isEqualTo("spec.ingress[0].toPorts[0].ports[0].protocol"));
        });
    assertThat(store.list()).isEmpty();
    assertThat(changed).isEmpty();
  }

  @Test
  @DisplayName("the same policy twice in one apply is refused")
  void duplicatesRefused() {
    assertThatThrownBy(() -> service.apply(docs(cnp("a", "default", "", "x"), cnp("a", "default", "", "y"))))
        .isInstanceOfSatisfying(PolicyRejected.class, e -> assertThat(e.errors()).singleElement()
            .satisfies(p -> assertThat(p.message()).contains("is also in test.yaml#0")));
    assertThat(store.list()).isEmpty();
  }

  @Test
  @DisplayName("a batch larger than one transaction (150 policies) is stored completely")
  void bigBatch() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      many.add(cnp("p-" + i, "default", "", "x"));
    }
    assertThat(service.apply(docs(many.toArray(String[]::new))).documents()).hasSize(150);
    assertThat(store.list()).hasSize(150);
  }

  @Test
  @DisplayName("concurrent applies of different content lose no update: each is one more generation")
  void concurrentAppliesLoseNothing() throws Exception {
    service.apply(docs(cnp("a", "default", "", "start")));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String app = "app-" + i;
        all.add(pool.submit(() -> service.apply(docs(cnp("a", "default", "", app)))));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(store.get(new PolicyKey(PolicyKind.CNP, "default", "a")).orElseThrow().value().generation()).isEqualTo(5);
  }

  @Test
  @DisplayName("diff: per cluster create, change (with the paths), remove, unchanged; stores nothing")
  void diffPerCluster() {
    service.apply(docs(cnp("a", "default", "meshfed.io/clusters: \"c1,c2\"", "x"), cnp("b", "default", "", "x")));
    changed.clear();
    var d = service.diff(docs(cnp("a", "default", "meshfed.io/clusters: \"c2,c3\"", "y"), cnp("b", "default", "", "x"),
        cnp("c", "default", "meshfed.io/clusters: c1", "x")));
    var a = d.documents().get(0);
    assertThat(a.generation()).isEqualTo(1);
    assertThat(a.nextGeneration()).isEqualTo(2);
    assertThat(a.clusters()).extracting(c -> c.cluster() + ":" + c.change()).containsExactly("c1:remove", "c2:change", "c3:create");
    assertThat(a.clusters().get(1).fields()).containsExactly("metadata.annotations[\"meshfed.io/clusters\"]", "spec.endpointSelector.matchLabels.app");
    var b = d.documents().get(1);
    assertThat(b.nextGeneration()).isEqualTo(1);
    assertThat(b.clusters()).extracting(c -> c.cluster() + ":" + c.change()).containsExactly("c1:unchanged", "c2:unchanged", "c3:unchanged");
    var c = d.documents().get(2);
    assertThat(c.generation()).isZero();
    assertThat(c.clusters()).extracting(x -> x.cluster() + ":" + x.change()).containsExactly("c1:create");
    assertThat(store.keys()).hasSize(2);
    assertThat(changed).isEmpty();
  }

  @Test
  @DisplayName("references: NAME when unique, NAMESPACE/NAME, the key, --kind; an ambiguous NAME is refused with the candidates")
  void references() {
    service.apply(docs(cnp("web", "a", "", "x"), cnp("web", "b", "", "x"), cnp("api", "a", "", "x"),
        """
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: api}
        spec:
          endpointSelector: {}
          ingress: [{fromEntities: [cluster]}]
        """));
    assertThat(service.resolve("a/web", null)).isEqualTo(new PolicyKey(PolicyKind.CNP, "a", "web"));
    assertThat(service.resolve("ccnp/_cluster/api", null)).isEqualTo(new PolicyKey(PolicyKind.CCNP, null, "api"));
    assertThat(service.resolve("api", "ccnp")).isEqualTo(new PolicyKey(PolicyKind.CCNP, null, "api"));
    assertThat(service.resolve("api", "CiliumNetworkPolicy")).isEqualTo(new PolicyKey(PolicyKind.CNP, "a", "api"));
    assertThatThrownBy(() -> service.resolve("web", null)).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(409);
      assertThat(e.getMessage()).contains("a/web").contains("b/web").contains("NAMESPACE/NAME");
    });
    assertThatThrownBy(() -> service.resolve("nope", null)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> service.resolve("a/web", "ccnp")).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThatThrownBy(() -> service.resolve("web", "pod")).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("kind"));
    assertThat(service.get("b/web", null).object().at("/metadata/annotations/meshfed.io~1generation").asText()).isEqualTo("1");
    assertThat(service.list(null, "a", null)).extracting(PolicyService.PolicyView::key).containsExactly("cnp/a/api", "cnp/a/web");
  }

  @Test
  @DisplayName("status: not attempted yet is Pending, an older generation InSync is Pending, a member no longer placed is 'to be removed'")
  void statusView() {
    service.apply(docs(cnp("a", "default", "meshfed.io/clusters: \"c1,c2\"", "x")));
    service.apply(docs(cnp("a", "default", "meshfed.io/clusters: \"c1,c2\"", "y")));
    Instant t = Instant.parse("2026-11-26T09:00:00Z");
    store.writeStatuses("c1", List.of(new PolicyStatusRecord("c1", "cnp/default/a", PolicyState.IN_SYNC, null, 1, 1, "sha256:old", false, t, t, 0)), List.of());
    store.writeStatuses("c3", List.of(new PolicyStatusRecord("c3", "cnp/default/a", PolicyState.IN_SYNC, null, 1, 1, "sha256:old", false, t, t, 0)), List.of());
    var s = service.status("default/a", null);
    assertThat(s.generation()).isEqualTo(2);
    assertThat(s.clusters()).extracting(c -> c.cluster() + ":" + c.state()).containsExactly("c1:Pending", "c2:Pending", "c3:Pending");
    assertThat(s.clusters().get(0).reason()).contains("generation 2 not rolled out");
    assertThat(s.clusters().get(1).reason()).isEqualTo("not attempted yet");
    assertThat(s.clusters().get(2).reason()).contains("to be removed");
    assertThat(service.statusAll()).singleElement().satisfies(v -> assertThat(v.key()).isEqualTo("cnp/default/a"));

    var deleted = service.delete("a", null);
    assertThat(deleted.pruneFrom()).containsExactly("c1", "c3");
    assertThat(store.keys()).isEmpty();
    var after = service.status("default/a", null);
    assertThat(after.deleted()).isTrue();
    assertThat(after.clusters()).allSatisfy(c -> assertThat(c.reason()).contains("the mesh policy was deleted"));
    assertThatThrownBy(() -> service.delete("default/a", null)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }
}
