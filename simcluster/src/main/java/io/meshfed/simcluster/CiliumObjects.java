package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds the Cilium objects of one simulated cluster as a Cilium agent and operator would have
 * written them, with the fields the clustermesh data flow reads (spec sections 2.2 to 2.4).
 */
final class CiliumObjects {

  static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";
  static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  static final String SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";
  static final String NAMED_PORT = "http";
  static final int CONTAINER_PORT = 8080;

  private final String clusterName;
  private final IdentityRange identities;
  private final AddressPlan addresses;
  private final WorkloadPlan workloads;

  CiliumObjects(String clusterName, IdentityRange identities, AddressPlan addresses, WorkloadPlan workloads) {
    this.clusterName = clusterName;
    this.identities = identities;
    this.addresses = addresses;
    this.workloads = workloads;
  }

  /**
   * The k-th CiliumIdentity: named by its number, with the security labels the agent derived from
   * the pod (sorted by key, as Cilium keeps them).
   */
  GenericKubernetesResource identity(int k) {
    String namespace = workloads.namespaceOfIdentity(k);
    GenericKubernetesResource identity = resource(CiliumCrds.Kind.IDENTITY,
        String.valueOf(identities.numericIdentity(k)), null);
    // The operator copies the security labels (without source prefix) to metadata labels.
    identity.getMetadata().setLabels(Map.of(NAMESPACE_LABEL, namespace, CLUSTER_LABEL, clusterName,
        SERVICE_ACCOUNT_LABEL, "default", "app", workloads.appOfIdentity(k)));
    identity.setAdditionalProperty("security-labels", securityLabels(k));
    return identity;
  }

  Map<String, String> securityLabels(int k) {
    String namespace = workloads.namespaceOfIdentity(k);
    Map<String, String> labels = new TreeMap<>();
    labels.put("k8s:app", workloads.appOfIdentity(k));
    labels.put("k8s:" + CLUSTER_LABEL, clusterName);
    labels.put("k8s:" + NAMESPACE_LABEL, namespace);
    labels.put("k8s:" + SERVICE_ACCOUNT_LABEL, "default");
    labels.put("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", namespace);
    return labels;
  }

  /** The CiliumEndpoint of pod e: its identity, its address inside its node's pod CIDR, its node. */
  GenericKubernetesResource endpoint(int e) {
    int k = workloads.identityOfEndpoint(e);
    String namespace = workloads.namespaceOfIdentity(k);
    String pod = workloads.podName(e);
    GenericKubernetesResource endpoint = resource(CiliumCrds.Kind.ENDPOINT, pod, namespace);
    endpoint.getMetadata().setLabels(Map.of("app", workloads.appOfIdentity(k)));
    int node = addresses.nodeOfEndpoint(e);

    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("id", identities.numericIdentity(k));
    identity.put("labels", securityLabels(k).entrySet().stream()
        .map(label -> label.getKey() + "=" + label.getValue()).toList());
    Map<String, Object> networking = new LinkedHashMap<>();
    networking.put("addressing", List.of(Map.of("ipv4", addresses.endpointIp(e))));
    networking.put("node", addresses.nodeInternalIp(node));

    Map<String, Object> status = new LinkedHashMap<>();
    status.put("id", e + 1);
    status.put("identity", identity);
    status.put("networking", networking);
    status.put("named-ports", List.of(Map.of("name", NAMED_PORT, "port", CONTAINER_PORT, "protocol", "TCP")));
    status.put("encryption", Map.of("key", 0));
    status.put("service-account", "default");
    status.put("state", "ready");
    status.put("external-identifiers", Map.of(
        "k8s-namespace", namespace, "k8s-pod-name", pod, "pod-name", namespace + "/" + pod,
        "container-id", UUID.nameUUIDFromBytes((clusterName + "/" + namespace + "/" + pod).getBytes(StandardCharsets.UTF_8))
            .toString().replace("-", "")));
    endpoint.setAdditionalProperty("status", status);
    return endpoint;
  }

  /** The CiliumNode of node n: addresses, pod CIDR and health address the agent announced. */
  GenericKubernetesResource node(int n, String nodeName) {
    GenericKubernetesResource node = resource(CiliumCrds.Kind.NODE, nodeName, null);
    node.getMetadata().setLabels(KubernetesObjects.nodeLabels(nodeName));
    List<Map<String, String>> nodeAddresses = new ArrayList<>();
    nodeAddresses.add(Map.of("type", "InternalIP", "ip", addresses.nodeInternalIp(n)));
    nodeAddresses.add(Map.of("type", "CiliumInternalIP", "ip", addresses.routerIp(n)));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("addresses", nodeAddresses);
    spec.put("ipam", Map.of("podCIDRs", List.of(addresses.nodePodCidr(n))));
    spec.put("health", Map.of("ipv4", addresses.healthIp(n)));
    spec.put("encryption", Map.of("key", 0));
    spec.put("bootid", UUID.nameUUIDFromBytes((clusterName + "/" + nodeName).getBytes(StandardCharsets.UTF_8)).toString());
    node.setAdditionalProperty("spec", spec);
    return node;
  }

  private static GenericKubernetesResource resource(CiliumCrds.Kind kind, String name, String namespace) {
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion(CiliumCrds.API_VERSION);
    resource.setKind(kind.kind);
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return resource;
  }
}
