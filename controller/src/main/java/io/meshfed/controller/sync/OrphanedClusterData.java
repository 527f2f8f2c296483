package io.meshfed.controller.sync;

import io.etcd.jetcd.KeyValue;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Clusters that have data in the cache but are no longer members: a leave whose delayed data
 * deletion was cut short by a controller restart. Found by their canaries ({@code cilium/synced/<c>/})
 * and cluster configs, the two places every synced cluster has a key.
 */
public final class OrphanedClusterData {
  private OrphanedClusterData() {}

  public static Set<String> find(MeshStore store) {
    Set<String> members = store.clusters().stream().map(ClusterRecord::name).collect(Collectors.toSet());
    Set<String> found = new TreeSet<>();
    for (String prefix : new String[] {"cilium/synced/", "cilium/cluster-config/"}) {
      for (KeyValue kv : store.list(prefix)) {
        String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
        int slash = rest.indexOf('/');
        found.add(slash < 0 ? rest : rest.substring(0, slash));
      }
    }
    found.removeAll(members);
    return found;
  }
}
