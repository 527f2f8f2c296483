package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.testkit.simcluster.SimulatedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test access to simulated clusters standing in for members: clients the way the product builds
 * them, and snapshots of the object kinds join touches, to prove what changed and what did not.
 */
final class SimulatedMembers {

  /** Fail fast on a stopped simulated cluster instead of retrying. */
  static final ConnectionSettings FAST = new ConnectionSettings(Duration.ofSeconds(2), Duration.ofSeconds(15), 0);

  private SimulatedMembers() {
  }

  /** A client with the simulated cluster's admin kubeconfig (allowed everything). */
  static KubernetesClient admin(SimulatedCluster cluster) {
    return MemberConnection.fromKubeconfig(cluster.kubeconfig(), null, FAST);
  }

  /** A client with the kubeconfig of a user declared on the launcher. */
  static KubernetesClient user(SimulatedCluster cluster, String user) {
    return MemberConnection.fromKubeconfig(cluster.kubeconfig(user), null, FAST);
  }

  /** {@code Kind namespace/name -> resourceVersion} of every object of the kinds join touches. */
  static Map<String, String> snapshot(KubernetesClient client) {
    Map<String, String> objects = new TreeMap<>();
    all(client).forEach(object -> objects.put(key(object), object.getMetadata().getResourceVersion()));
    return objects;
  }

  /** {@code Kind namespace/name} of every object carrying app.kubernetes.io/managed-by=meshfed. */
  static List<String> ours(KubernetesClient client) {
    List<String> keys = new ArrayList<>();
    all(client).filter(MeshfedLabels::isOurs).forEach(object -> keys.add(key(object)));
    return keys;
  }

  static String key(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    // List items may come without kind: take it from the class.
    return HasMetadata.getKind(object.getClass()) + " " + (namespace == null ? "" : namespace + "/") + object.getMetadata().getName();
  }

  private static Stream<HasMetadata> all(KubernetesClient client) {
    return Stream.of(
        client.namespaces().list().getItems(),
        client.serviceAccounts().inAnyNamespace().list().getItems(),
        client.rbac().clusterRoles().list().getItems(),
        client.rbac().clusterRoleBindings().list().getItems(),
        client.rbac().roles().inAnyNamespace().list().getItems(),
        client.rbac().roleBindings().inAnyNamespace().list().getItems(),
        client.secrets().inAnyNamespace().list().getItems(),
        client.configMaps().inAnyNamespace().list().getItems())
        .flatMap(List::stream)
        .map(HasMetadata.class::cast);
  }
}
