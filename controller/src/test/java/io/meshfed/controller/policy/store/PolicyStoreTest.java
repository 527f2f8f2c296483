package io.meshfed.controller.policy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
import io.meshfed.controller.policy.Canonical;
import io.meshfed.controller.policy.MeshPolicy;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.PolicyKind;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.Versioned;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Policies, statuses and events in a real etcd. */
class PolicyStoreTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  Client client;
  PolicyStore store;

  @BeforeEach
  void clean() throws Exception {
    client = ETCD.jetcdClient();
    client.getKVClient().delete(ByteSequence.from(MeshKeys.PREFIX, StandardCharsets.UTF_8), DeleteOption.builder().isPrefix(true).build()).get();
    store = new PolicyStore(client);
  }

  static MeshPolicy policy(String name, String app) {
    ObjectNode doc = new ObjectMapper().createObjectNode();
    doc.put("apiVersion", "cilium.io/v2").put("kind", "CiliumNetworkPolicy");
    doc.putObject("metadata").put("name", name).put("namespace", "default");
    doc.putObject("spec").putObject("endpointSelector").putObject("matchLabels").put("app", app);
    return MeshPolicy.create(Canonical.canonicalize(doc), T0);
  }

  @Test
  @DisplayName("a new policy is stored only if absent; a change only if unchanged since read (compare-and-swap)")
  void compareAndSwap() {
    MeshPolicy p = policy("a", "x");
    assertThat(store.write(List.of(new PolicyStore.Write(null, p)))).isTrue();
    assertThat(store.write(List.of(new PolicyStore.Write(null, p)))).as("already exists").isFalse();
    Versioned<MeshPolicy> v1 = store.get(p.policyKey()).orElseThrow();
    assertThat(v1.value().generation()).isEqualTo(1);
    MeshPolicy p2 = v1.value().next(policy("a", "y").object(), T0.plusSeconds(1));
    assertThat(store.write(List.of(new PolicyStore.Write(v1, p2)))).isTrue();
    MeshPolicy p3 = v1.value().next(policy("a", "z").object(), T0.plusSeconds(2));
    assertThat(store.write(List.of(new PolicyStore.Write(v1, p3)))).as("built on a stale read").isFalse();
    assertThat(store.get(p.policyKey()).orElseThrow().value().generation()).isEqualTo(2);
    assertThat(store.get(p.policyKey()).orElseThrow().value().object().at("/spec/endpointSelector/matchLabels/app").asText()).isEqualTo("y");
    assertThat(store.keys()).containsExactly(p.policyKey());
  }

  @Test
  @DisplayName("a batch is one transaction: one stale guard and none of it is written; up to 128 policies, not more")
  void batchAllOrNothing() {
    MeshPolicy a = policy("a", "x");
    assertThat(store.write(List.of(new PolicyStore.Write(null, a)))).isTrue();
    List<PolicyStore.Write> batch = new ArrayList<>(List.of(new PolicyStore.Write(null, policy("b", "x")), new PolicyStore.Write(null, a)));
    assertThat(store.write(batch)).isFalse();
    assertThat(store.get(policy("b", "x").policyKey())).isEmpty();
    List<PolicyStore.Write> big = new ArrayList<>();
    for (int i = 0; i < PolicyStore.MAX_TXN_OPS; i++) {
      big.add(new PolicyStore.Write(null, policy("p-" + i, "x")));
    }
    assertThat(store.write(big)).isTrue();
    assertThat(store.list()).hasSize(PolicyStore.MAX_TXN_OPS + 1);
    big.add(new PolicyStore.Write(null, policy("one-too-many", "x")));
    assertThatThrownBy(() -> store.write(big)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("delete is guarded by the mod revision too")
  void guardedDelete() {
    MeshPolicy a = policy("a", "x");
    store.write(List.of(new PolicyStore.Write(null, a)));
    Versioned<MeshPolicy> v1 = store.get(a.policyKey()).orElseThrow();
    store.write(List.of(new PolicyStore.Write(v1, v1.value().next(policy("a", "y").object(), T0))));
    assertThat(store.delete(v1)).isFalse();
    assertThat(store.delete(store.get(a.policyKey()).orElseThrow())).isTrue();
    assertThat(store.get(a.policyKey())).isEmpty();
  }

  @Test
  @DisplayName("statuses: hundreds written per member in transactions of at most 128; one member's deletion spares c10")
  void statuses() {
    List<PolicyStatusRecord> puts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      puts.add(new PolicyStatusRecord("c1", "cnp/default/p-" + i, PolicyState.IN_SYNC, null, 1, 1, "sha256:x", false, T0, T0, 0));
    }
    store.writeStatuses("c1", puts, List.of());
    store.writeStatuses("c10", List.of(new PolicyStatusRecord("c10", "cnp/default/p-0", PolicyState.PENDING, "member unreachable", 1, 0,
        null, false, null, T0, 3)), List.of());
    assertThat(store.statuses("c1")).hasSize(300);
    assertThat(store.statuses()).hasSize(301);
    store.writeStatuses("c1", List.of(), List.of("cnp/default/p-0", "cnp/default/p-1"));
    assertThat(store.statuses("c1")).hasSize(298);
    store.deleteClusterStatuses("c1");
    assertThat(store.statuses()).singleElement().satisfies(s -> {
      assertThat(s.cluster()).isEqualTo("c10");
      assertThat(s.state()).isEqualTo(PolicyState.PENDING);
      assertThat(s.attempts()).isEqualTo(3);
    });
  }

  @Test
  @DisplayName("events: newest first, the newest 100 per policy kept")
  void eventsAreBounded() {
    PolicyKey k = new PolicyKey(PolicyKind.CNP, "default", "a");
    for (int i = 0; i < 105; i++) {
      store.recordEvent(new PolicyEventRecord(T0.plusSeconds(i), "c1", k.id(), "edited", List.of("spec.x"), List.of("kubectl-edit (Update)"),
          "restored", 1));
    }
    store.recordEvent(new PolicyEventRecord(T0, "c2", "cnp/default/other", "deleted", List.of(), List.of(), "restored", 1));
    List<PolicyEventRecord> events = store.events(k);
    assertThat(events).hasSize(PolicyStore.EVENTS_KEPT);
    assertThat(events.get(0).time()).isEqualTo(T0.plusSeconds(104));
    assertThat(events.get(99).time()).isEqualTo(T0.plusSeconds(5));
    assertThat(events.get(0).who()).containsExactly("kubectl-edit (Update)");
    assertThat(store.events(new PolicyKey(PolicyKind.CNP, "default", "other"))).hasSize(1);
  }
}
