package io.meshfed.testkit.simcluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Connects to a simulated cluster the way the product does: from its kubeconfig, JDK HTTP client. */
final class SimulatedClusterClients {

  static final ResourceDefinitionContext IDENTITIES = cilium("CiliumIdentity", "ciliumidentities", false);
  static final ResourceDefinitionContext ENDPOINTS = cilium("CiliumEndpoint", "ciliumendpoints", true);
  static final ResourceDefinitionContext NODES = cilium("CiliumNode", "ciliumnodes", false);
  static final ResourceDefinitionContext NETWORK_POLICIES =
      cilium("CiliumNetworkPolicy", "ciliumnetworkpolicies", true);
  static final ResourceDefinitionContext CLUSTERWIDE_NETWORK_POLICIES =
      cilium("CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", false);
  static final List<String> CILIUM_CRD_NAMES = List.of(
      "ciliumidentities.cilium.io", "ciliumendpoints.cilium.io", "ciliumnodes.cilium.io",
      "ciliumnetworkpolicies.cilium.io", "ciliumclusterwidenetworkpolicies.cilium.io");

  private SimulatedClusterClients() {
  }

  /**
   * The admin's client; it fails at once when the simulated cluster is down, instead of retrying
   * for minutes.
   */
  static KubernetesClient connect(SimulatedCluster cluster) {
    return connect(cluster.kubeconfig());
  }

  /** A client from any kubeconfig, e.g. {@code cluster.kubeconfig("viewer")}. */
  static KubernetesClient connect(Path kubeconfig) {
    try {
      return build(Config.fromKubeconfig(Files.readString(kubeconfig)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client that presents only this bearer token, e.g. a ServiceAccount's from a TokenRequest. */
  static KubernetesClient connectWithToken(SimulatedCluster cluster, String token) {
    return build(new ConfigBuilder(Config.empty()).withMasterUrl(cluster.apiServerUrl().toString())
        .withOauthToken(token).build());
  }

  private static KubernetesClient build(Config config) {
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(2_000);
    config.setRequestTimeout(10_000);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  static List<GenericKubernetesResource> list(KubernetesClient client, ResourceDefinitionContext kind) {
    return kind.isNamespaceScoped()
        ? client.genericKubernetesResources(kind).inAnyNamespace().list().getItems()
        : client.genericKubernetesResources(kind).list().getItems();
  }

  private static ResourceDefinitionContext cilium(String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("cilium.io").withVersion("v2").withKind(kind).withPlural(plural).withNamespaced(namespaced)
        .build();
  }
}
