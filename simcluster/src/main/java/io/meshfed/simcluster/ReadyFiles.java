package io.meshfed.simcluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what a client needs to reach the simulated clusters: one kubeconfig per simulated
 * cluster and ready.json. Every file is written to a temporary name and moved into place
 * atomically, so a reader polling for it never sees half a file.
 */
final class ReadyFiles {

  static final String READY_FILE = "ready.json";

  private final Path outDir;

  ReadyFiles(Path outDir) {
    this.outDir = outDir;
  }

  static String kubeconfigFileName(String clusterName) {
    return "kubeconfig-" + clusterName + ".yaml";
  }

  Path writeKubeconfig(SimulatedCluster cluster) throws IOException {
    String name = cluster.name();
    String yaml = String.join("\n",
        "# Simulated cluster \"" + name + "\" (Cilium cluster ID " + cluster.id() + "): a fabric8",
        "# KubernetesMockServer in CRUD mode started by meshfed simcluster. It stands in for a cluster.",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: " + name,
        "  cluster:",
        "    server: http://127.0.0.1:" + cluster.port(),
        "contexts:",
        "- name: " + name,
        "  context:",
        "    cluster: " + name,
        "    user: " + name + "-admin",
        "    namespace: default",
        "current-context: " + name,
        "users:",
        "- name: " + name + "-admin",
        "  user:",
        "    token: simulated-" + name + "-token",
        "preferences: {}",
        "");
    return writeAtomically(outDir.resolve(kubeconfigFileName(name)), yaml);
  }

  /** ready.json: {"pid":..., "clusters":[{"name","id","port","kubeconfig","seedMillis"}]}. */
  Path writeReady(List<SimulatedCluster> clusters, Map<String, Map<String, Long>> seedMillis) throws IOException {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (SimulatedCluster cluster : clusters) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", cluster.name());
      entry.put("id", cluster.id());
      entry.put("port", cluster.port());
      entry.put("kubeconfig", outDir.resolve(kubeconfigFileName(cluster.name())).toAbsolutePath().toString());
      entry.put("seedMillis", seedMillis.get(cluster.name()));
      entries.add(entry);
    }
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("pid", ProcessHandle.current().pid());
    ready.put("clusters", entries);
    return writeAtomically(outDir.resolve(READY_FILE), Serialization.asJson(ready));
  }

  private static Path writeAtomically(Path target, String content) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
