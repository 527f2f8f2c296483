package io.meshfed.simcluster;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshfed.simcluster.auth.UserSpec;
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

  /** The admin's kubeconfig. */
  static String kubeconfigFileName(String clusterName) {
    return "kubeconfig-" + clusterName + ".yaml";
  }

  /** The kubeconfig of a {@code --user}. */
  static String kubeconfigFileName(String clusterName, String userName) {
    return "kubeconfig-" + clusterName + "-" + userName + ".yaml";
  }

  /** Writes the admin's kubeconfig and one per {@code --user}; the files hold their bearer tokens. */
  void writeKubeconfigs(SimulatedCluster cluster) throws IOException {
    writeKubeconfig(cluster, kubeconfigFileName(cluster.name()), UserSpec.ADMIN, cluster.auth().adminToken());
    for (Map.Entry<String, String> user : cluster.auth().userTokens().entrySet()) {
      writeKubeconfig(cluster, kubeconfigFileName(cluster.name(), user.getKey()), user.getKey(), user.getValue());
    }
  }

  private void writeKubeconfig(SimulatedCluster cluster, String fileName, String userName, String token)
      throws IOException {
    String name = cluster.name();
    String yaml = String.join("\n",
        "# Simulated cluster \"" + name + "\" (Cilium cluster ID " + cluster.id() + "), user \"" + userName + "\": a",
        "# fabric8 KubernetesMockServer in CRUD mode started by meshfed simcluster. It stands in for a cluster.",
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
        "    user: " + name + "-" + userName,
        "    namespace: default",
        "current-context: " + name,
        "users:",
        "- name: " + name + "-" + userName,
        "  user:",
        "    token: " + token,
        "preferences: {}",
        "");
    writeAtomically(outDir.resolve(fileName), yaml);
  }

  /**
   * ready.json: {"pid":..., "clusters":[{"name","id","port","kubeconfig","users":{USER: kubeconfig},
   * "seedMillis"}]}.
   */
  Path writeReady(List<SimulatedCluster> clusters, Map<String, Map<String, Long>> seedMillis) throws IOException {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (SimulatedCluster cluster : clusters) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", cluster.name());
      entry.put("id", cluster.id());
      entry.put("port", cluster.port());
      entry.put("kubeconfig", outDir.resolve(kubeconfigFileName(cluster.name())).toAbsolutePath().toString());
      Map<String, String> users = new LinkedHashMap<>();
      for (String user : cluster.auth().userTokens().keySet()) {
        users.put(user, outDir.resolve(kubeconfigFileName(cluster.name(), user)).toAbsolutePath().toString());
      }
      entry.put("users", users);
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
