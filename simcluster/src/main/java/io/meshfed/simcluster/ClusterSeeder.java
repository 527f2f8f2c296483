package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills one simulated cluster's store with what a Cilium cluster holds: namespaces, cilium-config,
 * the Cilium CRDs, nodes with their CiliumNodes, the cilium DaemonSet, CiliumIdentities,
 * CiliumEndpoints, global services with EndpointSlices and one local service.
 *
 * <p>The CRDs go in first: the store learns their plural and scope from them, and the Cilium
 * objects after them are filed under it.
 */
final class ClusterSeeder {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterSeeder.class);

  private final ClusterSpec cluster;
  private final SeedSizes sizes;
  private final List<CustomResourceDefinition> crds;
  private final WorkloadPlan workloads;
  private final KubernetesObjects kubernetes;
  private final CiliumObjects cilium;

  ClusterSeeder(ClusterSpec cluster, SeedSizes sizes, int maxConnectedClusters, List<CustomResourceDefinition> crds) {
    this.cluster = cluster;
    this.sizes = sizes;
    this.crds = crds;
    IdentityRange identityRange = new IdentityRange(cluster.id(), maxConnectedClusters);
    if (sizes.identities() > identityRange.capacity()) {
      throw new IllegalArgumentException("--identities " + sizes.identities() + ": simulated cluster "
          + cluster.name() + " has room for " + identityRange.capacity() + " identities ("
          + identityRange.first() + ".." + identityRange.last() + ")");
    }
    AddressPlan addresses = new AddressPlan(cluster.id(), maxConnectedClusters, sizes.nodes(), sizes.endpoints());
    this.workloads = new WorkloadPlan(sizes);
    this.kubernetes = new KubernetesObjects(cluster, maxConnectedClusters, addresses, workloads);
    this.cilium = new CiliumObjects(cluster.name(), identityRange, addresses, workloads);
  }

  /** Seeds the store; returns how long each step took, in milliseconds, in seeding order. */
  Map<String, Long> seed(SimulatedClusterDispatcher dispatcher) {
    StoreWriter store = new StoreWriter(dispatcher.store());
    Map<String, Long> millis = new LinkedHashMap<>();
    timed(millis, "namespaces", () -> {
      store.insert(KubernetesObjects.namespace(KubernetesObjects.CILIUM_NAMESPACE), "namespaces");
      store.insert(KubernetesObjects.namespace("default"), "namespaces");
      workloads.workloadNamespaces().forEach(ns -> store.insert(KubernetesObjects.namespace(ns), "namespaces"));
      store.insert(kubernetes.ciliumConfig(), "configmaps");
    });
    timed(millis, "crds", () -> crds.forEach(crd -> store.insert(crd, "customresourcedefinitions")));
    timed(millis, "nodes", () -> {
      store.insertAll(sizes.nodes(), kubernetes::node, "nodes");
      store.insertAll(sizes.nodes(), n -> cilium.node(n, kubernetes.nodeName(n)), CiliumCrds.Kind.NODE.plural);
      store.insert(kubernetes.ciliumDaemonSet(sizes.nodes()), "daemonsets");
    });
    timed(millis, "identities", () -> store.insertAll(sizes.identities(), cilium::identity,
        CiliumCrds.Kind.IDENTITY.plural));
    timed(millis, "endpoints", () -> store.insertAll(sizes.endpoints(), cilium::endpoint,
        CiliumCrds.Kind.ENDPOINT.plural));
    timed(millis, "services", () -> {
      List<Service> services = new ArrayList<>();
      List<EndpointSlice> slices = new ArrayList<>();
      for (int s = 0; s < sizes.services(); s++) {
        services.add(kubernetes.service(workloads.serviceName(s), workloads.identityOfService(s), s, true));
        slices.addAll(kubernetes.endpointSlices(workloads.serviceName(s), workloads.identityOfService(s)));
      }
      if (sizes.identities() > 0) {
        services.add(kubernetes.service(WorkloadPlan.LOCAL_SERVICE_NAME, 0, sizes.services(), false));
        slices.addAll(kubernetes.endpointSlices(WorkloadPlan.LOCAL_SERVICE_NAME, 0));
      }
      store.insertAll(services.size(), services::get, "services");
      store.insertAll(slices.size(), slices::get, "endpointslices");
    });
    long total = millis.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("simulated cluster {} (id {}) seeded in {} ms: {} nodes, {} identities, {} endpoints, {} global"
        + " services; per step {}", cluster.name(), cluster.id(), total, sizes.nodes(), sizes.identities(),
        sizes.endpoints(), sizes.services(), millis);
    millis.put("total", total);
    return millis;
  }

  private static void timed(Map<String, Long> millis, String step, Runnable action) {
    long start = System.nanoTime();
    action.run();
    millis.put(step, (System.nanoTime() - start) / 1_000_000);
  }
}
