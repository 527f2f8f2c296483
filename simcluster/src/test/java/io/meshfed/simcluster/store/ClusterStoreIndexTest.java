package io.meshfed.simcluster.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Requests for one object are answered from the name index exactly as fabric8's scans answer them. */
class ClusterStoreIndexTest {

  private ServedStore served;
  private KubernetesClient client;
  private ClusterStore store;

  @BeforeEach
  void start() {
    store = new ClusterStore();
    served = ServedStore.start(store);
    client = served.client();
  }

  @AfterEach
  void stop() {
    served.close();
  }

  @Test
  @DisplayName("the index is in use: this fabric8 version still has the field it reads")
  void indexAvailable() {
    assertThat(NameIndex.available()).isTrue();
  }

  @Test
  @DisplayName("the same name in two namespaces and two kinds: each request finds its own object")
  void sameNameElsewhere() {
    client.configMaps().inNamespace("a").resource(configMap("a", "x", "1")).create();
    client.configMaps().inNamespace("b").resource(configMap("b", "x", "2")).create();
    client.secrets().inNamespace("a").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("x").withNamespace("a").endMetadata().build()).create();

    assertThat(client.configMaps().inNamespace("a").withName("x").get().getData()).containsEntry("v", "1");
    assertThat(client.configMaps().inNamespace("b").withName("x").get().getData()).containsEntry("v", "2");
    assertThat(client.secrets().inNamespace("a").withName("x").get()).isNotNull();
    assertThat(client.secrets().inNamespace("b").withName("x").get()).isNull();
    assertThat(client.configMaps().inNamespace("c").withName("x").get()).isNull();
  }

  @Test
  @DisplayName("an object found after its labels (part of its key) change, and gone after a delete; a create of the name again is found")
  void followsKeyChanges() {
    var maps = client.configMaps().inNamespace("a");
    maps.resource(configMap("a", "x", "1")).create();
    maps.withName("x").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"color\":\"red\"}}}");
    assertThat(maps.withName("x").get().getMetadata().getLabels()).containsEntry("color", "red");
    assertThat(maps.withLabel("color", "red").list().getItems()).hasSize(1);

    maps.withName("x").delete();
    assertThat(maps.withName("x").get()).isNull();
    assertThat(maps.list().getItems()).isEmpty();

    maps.resource(configMap("a", "x", "3")).create();
    assertThat(maps.withName("x").get().getData()).containsEntry("v", "3");
  }

  @Test
  @DisplayName("a create of a name that exists is refused with 409, as before")
  void duplicateCreate() {
    var maps = client.configMaps().inNamespace("a");
    maps.resource(configMap("a", "x", "1")).create();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> maps.resource(configMap("a", "x", "2")).create()))
        .isInstanceOf(io.fabric8.kubernetes.client.KubernetesClientException.class)
        .satisfies(e -> assertThat(((io.fabric8.kubernetes.client.KubernetesClientException) e).getCode()).isEqualTo(409));
  }

  @Test
  @DisplayName("a GET while the object is being updated never misses it")
  void getDuringUpdates() {
    var maps = client.configMaps().inNamespace("a");
    maps.resource(configMap("a", "x", "0")).create();
    AtomicInteger missed = new AtomicInteger();
    CompletableFuture<Void> updates = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 300; i++) {
        maps.withName("x").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"n\":\"" + i + "\"}},\"data\":{\"v\":\"" + i + "\"}}");
      }
    });
    int gets = 0;
    while (!updates.isDone() || gets < 300) {
      if (maps.withName("x").get() == null) {
        missed.incrementAndGet();
      }
      gets++;
    }
    updates.join();
    assertThat(missed).hasValue(0);
    assertThat(maps.withName("x").get().getData()).containsEntry("v", "299");
  }

  @Test
  @DisplayName("reset empties the index with the store")
  void reset() {
    client.configMaps().inNamespace("a").resource(configMap("a", "x", "1")).create();
    store.reset();
    assertThat(client.configMaps().inNamespace("a").withName("x").get()).isNull();
  }

  private static ConfigMap configMap(String namespace, String name, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToData("v", value).build();
  }
}
