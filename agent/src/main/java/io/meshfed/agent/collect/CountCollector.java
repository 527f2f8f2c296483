package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import java.util.List;
import java.util.stream.Stream;

/**
 * CiliumIdentities, CiliumEndpoints and CiliumNodes by {@link ObjectCounter}; global Services by
 * a metadata-only walk, since the annotation that makes a Service global cannot be selected on.
 */
final class CountCollector extends KubeCollector {
  /** The annotations that make a Service global (spec 5.1), compared case-insensitively with "true". */
  static final List<String> GLOBAL_ANNOTATIONS = List.of("service.cilium.io/global", "io.cilium/global-service");

  private final ObjectCounter counter;

  CountCollector(KubeAccess kube, ObjectCounter counter) {
    super("counts", kube);
    this.counter = counter;
  }

  @Override
  public void collect(Results results) {
    long[] global = {0};
    ObjectCounter.Walk services = counter.walk(kube.pager(ResourceKind.SERVICES, null, true, service -> {
      if (isGlobal(service)) {
        global[0]++;
      }
    }));
    ObjectCount.Builder globalServices = ObjectCount.newBuilder().setCount(global[0]).setExact(services.complete());
    if (services.error() != null) {
      globalServices = ObjectCount.newBuilder().setError(Errors.text(services.error()));
    }
    results.counts = ObjectCounts.newBuilder()
        .setIdentities(count(ResourceKind.CILIUM_IDENTITIES))
        .setEndpoints(count(ResourceKind.CILIUM_ENDPOINTS))
        .setCiliumNodes(count(ResourceKind.CILIUM_NODES))
        .setGlobalServices(globalServices)
        .build();
  }

  private ObjectCount count(ResourceKind kind) {
    return counter.count(kube.pager(kind, null, true, item -> { }));
  }

  static boolean isGlobal(JsonNode object) {
    JsonNode annotations = object.path("metadata").path("annotations");
    return GLOBAL_ANNOTATIONS.stream().anyMatch(a -> "true".equalsIgnoreCase(annotations.path(a).asText("")));
  }

  @Override
  public void fail(Results results, String error) {
    ObjectCount failed = ObjectCount.newBuilder().setError(error).build();
    results.counts = ObjectCounts.newBuilder().setIdentities(failed).setEndpoints(failed).setCiliumNodes(failed)
        .setGlobalServices(failed).build();
  }

  @Override
  public String error(Results results) {
    if (results.counts == null) {
      return "";
    }
    ObjectCounts c = results.counts;
    return String.join("; ", Stream.of(c.getIdentities(), c.getEndpoints(), c.getCiliumNodes(), c.getGlobalServices())
        .map(ObjectCount::getError).filter(e -> !e.isEmpty()).distinct().toList());
  }
}
