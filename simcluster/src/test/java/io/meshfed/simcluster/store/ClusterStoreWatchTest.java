package io.meshfed.simcluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Watches on a simulated cluster resume from a resourceVersion the way a kube-apiserver's do. */
class ClusterStoreWatchTest {

  private ServedStore served;
  private ClusterStore store;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  private NonNamespaceOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> start(int deletionHistory) {
    store = new ClusterStore(deletionHistory);
    served = ServedStore.start(store);
    return served.client().configMaps().inNamespace("ns");
  }

  @AfterEach
  void stop() {
    watches.forEach(Watch::close);
    if (served != null) {
      served.close();
    }
  }

  @Test
  @DisplayName("a watch from a list's version gets only the later changes and deletions, in order, then live changes")
  void resumesFromAListsVersion() {
    var maps = start(100);
    maps.resource(configMap("a", "x")).create();
    maps.resource(configMap("b", "x")).create();
    maps.resource(configMap("c", "x")).create();
    String listed = maps.list().getMetadata().getResourceVersion();
    maps.withName("b").edit(map -> withData(map, "v", "2"));
    maps.withName("c").delete();
    maps.resource(configMap("d", "x")).create();

    Recorder recorder = watch(maps, listed);
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 3);
    assertThat(recorder.events).containsExactly("ADDED b", "DELETED c", "ADDED d");

    maps.withName("a").edit(map -> withData(map, "v", "3"));
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 4);
    assertThat(recorder.events.get(3)).isEqualTo("MODIFIED a");
  }

  @Test
  @DisplayName("a deletion gets a version of its own, so resuming from it does not repeat it")
  void deletionsHaveTheirOwnVersion() {
    var maps = start(100);
    maps.resource(configMap("a", "x")).create();
    String listed = maps.list().getMetadata().getResourceVersion();
    Recorder first = watch(maps, listed);
    maps.withName("a").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> first.versions.size() == 1);
    assertThat(Long.parseLong(first.versions.get(0))).isGreaterThan(Long.parseLong(listed));

    Recorder resumed = watch(maps, first.versions.get(0));
    maps.resource(configMap("e", "x")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> resumed.events.size() == 1);
    assertThat(resumed.events).containsExactly("ADDED e");
  }

  @Test
  @DisplayName("a watch without a version, or from 0, first gets every object as ADDED")
  void withoutAVersionTheStateComesFirst() {
    var maps = start(100);
    maps.resource(configMap("a", "x")).create();
    maps.resource(configMap("b", "x")).create();
    Recorder unversioned = watch(maps, null);
    Recorder fromZero = watch(maps, "0");
    await().atMost(Duration.ofSeconds(10)).until(() -> unversioned.events.size() == 2 && fromZero.events.size() == 2);
    assertThat(unversioned.events).containsExactlyInAnyOrder("ADDED a", "ADDED b");
    assertThat(fromZero.events).containsExactlyInAnyOrder("ADDED a", "ADDED b");
  }

  @Test
  @DisplayName("resuming from before the oldest deletion kept ends the watch with 410 Gone")
  void tooOldIsGone() {
    var maps = start(2);
    for (String name : List.of("a", "b", "c")) {
      maps.resource(configMap(name, "x")).create();
    }
    String listed = maps.list().getMetadata().getResourceVersion();
    for (String name : List.of("a", "b", "c")) {
      maps.withName(name).delete();
    }
    Recorder recorder = new Recorder();
    watches.add(maps.watch(new ListOptionsBuilder().withResourceVersion(listed).build(), recorder));
    WatcherException closed = recorder.closed.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(closed.isHttpGone()).isTrue();
    assertThat(recorder.events).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> store.openWatches() == 0);
  }

  @Test
  @DisplayName("a label selector: leaving it is a DELETED event, entering it an ADDED one")
  void selectorTransitions() {
    var maps = start(100);
    maps.resource(configMap("a", "blue")).create();
    maps.resource(configMap("b", "red")).create();
    String listed = maps.list().getMetadata().getResourceVersion();
    Recorder blue = new Recorder();
    watches.add(maps.withLabel("color", "blue").watch(
        new ListOptionsBuilder().withResourceVersion(listed).build(), blue));
    await().atMost(Duration.ofSeconds(10)).until(() -> store.openWatches() == 1);

    maps.withName("a").edit(map -> withLabel(map, "red"));
    maps.withName("b").edit(map -> withLabel(map, "blue"));
    maps.withName("b").edit(map -> withData(map, "v", "1"));
    maps.withName("a").edit(map -> withData(map, "v", "1"));
    maps.withName("b").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> blue.events.size() == 4);
    assertThat(blue.events).containsExactly("DELETED a", "ADDED b", "MODIFIED b", "DELETED b");
  }

  @Test
  @DisplayName("an informer receives each listed object once: no second copy when its watch opens")
  void informerSeesEachObjectOnce() {
    var maps = start(100);
    for (int i = 0; i < 50; i++) {
      maps.resource(configMap("m" + i, "x")).create();
    }
    AtomicInteger adds = new AtomicInteger();
    AtomicInteger updates = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();
    SharedIndexInformer<ConfigMap> informer = maps.inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap map) {
        adds.incrementAndGet();
      }

      @Override
      public void onUpdate(ConfigMap before, ConfigMap after) {
        updates.incrementAndGet();
      }

      @Override
      public void onDelete(ConfigMap map, boolean finalStateUnknown) {
        deletes.incrementAndGet();
      }
    });
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.hasSynced() && store.openWatches() == 1);
      maps.withName("m7").edit(map -> withData(map, "v", "1"));
      maps.withName("m8").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> updates.get() == 1 && deletes.get() == 1);
      assertThat(adds).hasValue(50);
      assertThat(informer.getStore().list()).hasSize(49);
    } finally {
      informer.close();
    }
  }

  private Recorder watch(NonNamespaceOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> maps, String version) {
    int before = store.openWatches();
    Recorder recorder = new Recorder();
    ListOptionsBuilder options = new ListOptionsBuilder();
    if (version != null) {
      options.withResourceVersion(version);
    }
    watches.add(maps.watch(options.build(), recorder));
    // Registered when the request arrives; from then on no change can miss it.
    await().atMost(Duration.ofSeconds(10)).until(() -> store.openWatches() == before + 1);
    return recorder;
  }

  private static ConfigMap configMap(String name, String color) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("ns")
        .addToLabels("color", color).endMetadata().addToData("v", "0").build();
  }

  private static ConfigMap withData(ConfigMap map, String key, String value) {
    map.getData().put(key, value);
    return map;
  }

  private static ConfigMap withLabel(ConfigMap map, String color) {
    map.getMetadata().getLabels().put("color", color);
    return map;
  }

  /** Records "TYPE name" per event and each event's resourceVersion. */
  private static final class Recorder implements Watcher<ConfigMap> {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> versions = new CopyOnWriteArrayList<>();
    final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

    @Override
    public void eventReceived(Action action, ConfigMap map) {
      events.add(action + " " + map.getMetadata().getName());
      versions.add(map.getMetadata().getResourceVersion());
    }

    @Override
    public void onClose(WatcherException cause) {
      closed.complete(cause);
    }

    @Override
    public boolean reconnecting() {
      return false;
    }
  }
}
