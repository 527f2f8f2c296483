package io.meshfed.testkit.simcluster;

import java.net.URI;
import java.nio.file.Path;

/**
 * One running simulated cluster: a fabric8 KubernetesMockServer in CRUD mode, seeded like a Cilium
 * cluster, reached over plain http on 127.0.0.1 through its kubeconfig, as a real cluster would be.
 *
 * @param name the Cilium cluster name (also the kubeconfig's context name)
 * @param id the Cilium cluster ID
 * @param port its loopback port; it stays the same across {@link SimulatedClusters#stop} and
 *     {@link SimulatedClusters#start}
 * @param kubeconfig the kubeconfig file, valid until the launcher is closed
 */
public record SimulatedCluster(String name, int id, int port, Path kubeconfig) {

  /** The API server address the kubeconfig points at. */
  public URI apiServerUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }
}
