package io.meshfed.controller.sync;

import io.etcd.jetcd.KeyValue;
import io.meshfed.api.kvstore.ClusterService;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.controller.store.MeshStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merged view of global services ({@code GET /api/v1/services}, {@code meshfed services}):
 * read back from what is actually in etcd, so it shows what agents see, grouped by namespace/name
 * with each exporting cluster's frontends and backends (spec 5.2: same namespace/name in
 * different clusters is one service).
 */
public final class GlobalServices {
  private GlobalServices() {}

  /** One service and its exporting clusters. */
  public record MergedService(String namespace, String name, List<ClusterBackends> clusters, int backends) {}

  /** One cluster's part of a merged service. */
  public record ClusterBackends(String cluster, long clusterId, List<String> frontends, List<String> backends) {}

  public static List<MergedService> read(MeshStore store) {
    Map<String, List<ClusterBackends>> byService = new TreeMap<>();
    for (KeyValue kv : store.list("cilium/cache/services/v1/")) {
      ReadResult<ClusterService> r = ClusterService.fromJson(kv.getValue().getBytes());
      if (!r.isAccepted()) {
        continue; // foreign or broken values are the conformance reader's business, not this view's
      }
      ClusterService s = r.value();
      byService.computeIfAbsent(s.namespace() + "/" + s.name(), k -> new ArrayList<>())
          .add(new ClusterBackends(s.cluster(), s.clusterId(), List.copyOf(s.frontends().keySet()), List.copyOf(s.backends().keySet())));
    }
    List<MergedService> out = new ArrayList<>();
    byService.forEach((key, clusters) -> {
      int slash = key.indexOf('/');
      clusters.sort(java.util.Comparator.comparing(ClusterBackends::cluster));
      out.add(new MergedService(key.substring(0, slash), key.substring(slash + 1), clusters,
          clusters.stream().mapToInt(c -> c.backends().size()).sum()));
    });
    return out;
  }
}
