package io.meshfed.agent.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.file.Path;

/**
 * One simulated-cluster launcher for every agent test class in the JVM (each launch costs a JVM
 * start and seeding): {@code c1} (id 1) is only read, except for objects a test adds under its own
 * names; {@code c2} (id 2) is the one tests mutate (the cilium DaemonSet's status). Closed when the
 * test JVM exits. Seeded per simulated cluster: 3 Nodes and CiliumNodes, 10 CiliumIdentities, 20
 * CiliumEndpoints, 3 global Services and 1 local one, DaemonSet kube-system/cilium 3/3 ready,
 * ConfigMap kube-system/cilium-config with cluster-name/cluster-id.
 */
public final class SharedClusters {
  public static final int NODES = 3;
  public static final int IDENTITIES = 10;
  public static final int ENDPOINTS = 20;
  public static final int GLOBAL_SERVICES = 3;

  private static SimulatedClusters clusters;

  private SharedClusters() {}

  public static synchronized SimulatedClusters get() {
    if (clusters == null) {
      clusters = SimulatedClusters.builder().cluster("c1", 1).cluster("c2", 2)
          .nodes(NODES).identities(IDENTITIES).endpoints(ENDPOINTS).services(GLOBAL_SERVICES).start();
      SimulatedClusters started = clusters;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "simclusters-close"));
    }
    return clusters;
  }

  /** The admin kubeconfig of a simulated cluster. */
  public static Path kubeconfig(String cluster) {
    return get().cluster(cluster).kubeconfig();
  }

  /** An admin client (tests close it). */
  public static KubernetesClient admin(String cluster) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(null, kubeconfig(cluster).toFile())).build();
  }
}
