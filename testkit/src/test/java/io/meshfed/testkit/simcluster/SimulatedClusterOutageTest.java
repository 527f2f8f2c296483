package io.meshfed.testkit.simcluster;

import static io.meshfed.testkit.simcluster.SimulatedClusterClients.NETWORK_POLICIES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A simulated cluster can go down and come back on the same port with its data")
class SimulatedClusterOutageTest {

  @Test
  @DisplayName("stop closes only that simulated cluster's port; start brings it back with data written before")
  void stopAndStartKeepData() {
    try (SimulatedClusters clusters = SimulatedClusters.builder().cluster("east", 7).cluster("west", 8)
            .nodes(1).identities(2).endpoints(2).services(1).start();
        KubernetesClient east = SimulatedClusterClients.connect(clusters.cluster("east"));
        KubernetesClient west = SimulatedClusterClients.connect(clusters.cluster("west"))) {
      String kubeSystemUid = west.namespaces().withName("kube-system").get().getMetadata().getUid();
      west.genericKubernetesResources(NETWORK_POLICIES).inNamespace("ns-0").resource(
          new GenericKubernetesResourceBuilder()
              .withApiVersion("cilium.io/v2").withKind("CiliumNetworkPolicy")
              .withNewMetadata().withName("written-before-outage").withNamespace("ns-0").endMetadata()
              .addToAdditionalProperties("spec", Map.of("endpointSelector", Map.of()))
              .build())
          .create();

      clusters.stop("west");

      assertThatThrownBy(() -> west.namespaces().withName("kube-system").get())
          .isInstanceOf(KubernetesClientException.class);
      assertThat(east.namespaces().withName("kube-system").get()).as("east is not affected").isNotNull();

      clusters.start("west");

      assertThat(west.namespaces().withName("kube-system").get().getMetadata().getUid()).isEqualTo(kubeSystemUid);
      assertThat(west.genericKubernetesResources(NETWORK_POLICIES).inNamespace("ns-0")
          .withName("written-before-outage").get()).isNotNull();
    }
  }
}
