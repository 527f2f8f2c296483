package io.meshfed.testkit.simcluster;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One running simulated cluster: a fabric8 KubernetesMockServer in CRUD mode, seeded like a Cilium
 * cluster, reached over plain http on 127.0.0.1 through its kubeconfig, as a real cluster would be.
 * It authenticates bearer tokens and authorizes with RBAC like an API server: each kubeconfig
 * holds a user's random token, valid for this simulated cluster only.
 *
 * @param name the Cilium cluster name (also the kubeconfig's context name)
 * @param id the Cilium cluster ID
 * @param port its loopback port; it stays the same across {@link SimulatedClusters#stop} and
 *     {@link SimulatedClusters#start}
 * @param kubeconfig the kubeconfig of the built-in {@code admin} user (allowed everything), valid until
 *     the launcher is closed
 * @param userKubeconfigs the kubeconfig of each user declared with
 *     {@link SimulatedClusters.Builder#user}, by user name
 */
public record SimulatedCluster(String name, int id, int port, Path kubeconfig, Map<String, Path> userKubeconfigs) {

  public SimulatedCluster {
    userKubeconfigs = Map.copyOf(userKubeconfigs);
  }

  /** A simulated cluster with only the admin user. */
  public SimulatedCluster(String name, int id, int port, Path kubeconfig) {
    this(name, id, port, kubeconfig, Map.of());
  }

  /**
   * The kubeconfig of a user declared with {@link SimulatedClusters.Builder#user}.
   *
   * @throws NoSuchElementException for a user that was not declared
   */
  public Path kubeconfig(String user) {
    Path file = userKubeconfigs.get(user);
    if (file == null) {
      throw new NoSuchElementException("simulated cluster " + name + " has no user '" + user + "' (declared: "
          + userKubeconfigs.keySet() + "; the admin's is kubeconfig())");
    }
    return file;
  }

  /** The API server address the kubeconfig points at. */
  public URI apiServerUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }
}
