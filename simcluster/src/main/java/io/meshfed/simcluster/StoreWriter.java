package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Puts objects straight into a simulated cluster's store, exactly as the mock's own POST handler
 * does (uid, creationTimestamp, resourceVersion and generation set, then
 * {@code KubernetesCrudPersistence.processEvent}), but without going through HTTP.
 *
 * <p>Why not POST them: the CRUD store is a flat map, and every create first scans it for a
 * duplicate name, so creating tens of thousands of objects one by one is quadratic. The seeder
 * knows its names are unique.
 *
 * <p>Only call this before the simulated cluster starts serving: {@code processEvent} expects the
 * store's write lock, which only request handling can take; before the server runs there is no
 * other user of the store.
 */
final class StoreWriter {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesCrudDispatcher store;
  /** Parsing a path into attributes costs more than storing the object; a seed uses few paths. */
  private final Map<String, AttributeSet> collectionKeys = new ConcurrentHashMap<>();
  private final String creationTimestamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

  StoreWriter(KubernetesCrudDispatcher store) {
    this.store = store;
  }

  /** Stores one object under its REST collection, e.g. plural "nodes" for a v1 Node. */
  void insert(HasMetadata resource, String plural) {
    GenericKubernetesResource stored = prepare(resource, store.requestResourceVersion());
    file(stored, JSON.asJson(stored), plural);
  }

  /**
   * Stores objects 0..count-1. Building them and writing their JSON (most of the work) runs in
   * parallel; filing them runs in index order, so lists come back in a stable order and
   * resourceVersions grow with the index, as if they had been created one after the other.
   */
  void insertAll(int count, IntFunction<? extends HasMetadata> build, String plural) {
    long firstVersion = reserveResourceVersions(count);
    GenericKubernetesResource[] objects = new GenericKubernetesResource[count];
    String[] json = new String[count];
    IntStream.range(0, count).parallel().forEach(i -> {
      objects[i] = prepare(build.apply(i), firstVersion + i);
      json[i] = JSON.asJson(objects[i]);
    });
    for (int i = 0; i < count; i++) {
      file(objects[i], json[i], plural);
    }
  }

  private long reserveResourceVersions(int count) {
    long first = store.requestResourceVersion();
    for (int i = 1; i < count; i++) {
      store.requestResourceVersion();
    }
    return first;
  }

  /**
   * A typed object is converted into a fresh generic copy (so shared inputs such as the CRDs are
   * never changed); a generic one is taken over and completed in place.
   */
  private GenericKubernetesResource prepare(HasMetadata resource, long resourceVersion) {
    GenericKubernetesResource generic = resource instanceof GenericKubernetesResource g
        ? g
        : JSON.convertValue(resource, GenericKubernetesResource.class);
    ObjectMeta metadata = generic.getMetadata();
    metadata.setUid(UUID.randomUUID().toString());
    metadata.setCreationTimestamp(creationTimestamp);
    metadata.setResourceVersion(String.valueOf(resourceVersion));
    metadata.setGeneration(1L);
    return generic;
  }

  private void file(GenericKubernetesResource resource, String json, String plural) {
    ObjectMeta metadata = resource.getMetadata();
    String collectionPath = collectionPath(resource.getApiVersion(), metadata.getNamespace(), plural);
    AttributeSet key = collectionKeys.computeIfAbsent(collectionPath, store::getKey)
        .add(new Attribute(KubernetesAttributesExtractor.NAME, metadata.getName()));
    store.processEvent(collectionPath, key, null, resource, json);
  }

  /** The REST path of a collection: /api/v1/nodes, /apis/cilium.io/v2/namespaces/ns-0/ciliumendpoints. */
  static String collectionPath(String apiVersion, String namespace, String plural) {
    String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    String namespaced = namespace == null || namespace.isEmpty() ? "" : "/namespaces/" + namespace;
    return prefix + namespaced + "/" + plural;
  }
}
