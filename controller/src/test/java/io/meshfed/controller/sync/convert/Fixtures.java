package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.meshfed.api.cluster.MaxConnectedClusters;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Source objects for the converter tests: members, and Cilium custom resources built the way
 * fabric8 hands them to an informer (untyped maps), in the shapes {@code simcluster}'s
 * {@code CiliumObjects} seeds.
 */
final class Fixtures {

  /** The cluster of the spec's examples (section 2), in a 255 mesh: identities 196608..262143. */
  static final MemberCluster CLUSTER3 = MemberCluster.of("cluster3", 3, MaxConnectedClusters.MAX_255);
  /** The same name and ID in a 511 mesh: identities 98304..131071. */
  static final MemberCluster CLUSTER3_IN_511 = MemberCluster.of("cluster3", 3, MaxConnectedClusters.MAX_511);

  static final String CLUSTER_LABEL = "io.cilium.k8s.policy.cluster";

  private Fixtures() {
  }

  static GenericKubernetesResource resource(String kind, String name, String namespace) {
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion("cilium.io/v2");
    resource.setKind(kind);
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    return resource;
  }

  /** A CiliumIdentity named {@code name} with these security labels (null: the field is absent). */
  static GenericKubernetesResource identity(String name, Map<String, ?> securityLabels) {
    GenericKubernetesResource identity = resource("CiliumIdentity", name, null);
    if (securityLabels != null) {
      identity.setAdditionalProperty("security-labels", securityLabels);
    }
    return identity;
  }

  /** Security labels as simcluster's {@code CiliumObjects.securityLabels} builds them. */
  static Map<String, String> simclusterSecurityLabels(String cluster, String namespace, String app) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("k8s:app", app);
    labels.put("k8s:" + CLUSTER_LABEL, cluster);
    labels.put("k8s:io.kubernetes.pod.namespace", namespace);
    labels.put("k8s:io.cilium.k8s.policy.serviceaccount", "default");
    labels.put("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", namespace);
    return labels;
  }

  /** A CiliumIdentity exactly as simcluster seeds it (metadata labels included). */
  static GenericKubernetesResource simclusterIdentity(String cluster, long number, String namespace, String app) {
    GenericKubernetesResource identity = identity(Long.toString(number), simclusterSecurityLabels(cluster, namespace, app));
    identity.getMetadata().setLabels(Map.of("io.kubernetes.pod.namespace", namespace, CLUSTER_LABEL, cluster,
        "io.cilium.k8s.policy.serviceaccount", "default", "app", app));
    return identity;
  }

  /** A CiliumEndpoint with the given status map (null: no status at all). */
  static GenericKubernetesResource endpoint(String namespace, String name, Map<String, Object> status) {
    GenericKubernetesResource endpoint = resource("CiliumEndpoint", name, namespace);
    if (status != null) {
      endpoint.setAdditionalProperty("status", status);
    }
    return endpoint;
  }

  /** A mutable status with identity {@code id}, node IP and addresses ({@code {ipv4, ipv6}} pairs). */
  static Map<String, Object> endpointStatus(Object id, String nodeIp, List<Map<String, String>> addressing) {
    Map<String, Object> status = new LinkedHashMap<>();
    if (id != null) {
      Map<String, Object> identity = new LinkedHashMap<>();
      identity.put("id", id);
      status.put("identity", identity);
    }
    Map<String, Object> networking = new LinkedHashMap<>();
    networking.put("addressing", addressing);
    if (nodeIp != null) {
      networking.put("node", nodeIp);
    }
    status.put("networking", networking);
    return status;
  }

  static Map<String, String> ipv4(String ip) {
    return Map.of("ipv4", ip);
  }

  static Map<String, String> dualStack(String ipv4, String ipv6) {
    return Map.of("ipv4", ipv4, "ipv6", ipv6);
  }

  /** A CiliumEndpoint exactly as simcluster's {@code CiliumObjects.endpoint} seeds it. */
  static GenericKubernetesResource simclusterEndpoint(String cluster, String namespace, String pod, long identity,
      String app, String ip, String nodeIp, int endpointId) {
    GenericKubernetesResource endpoint = endpoint(namespace, pod, null);
    endpoint.getMetadata().setLabels(Map.of("app", app));
    Map<String, Object> identityMap = new LinkedHashMap<>();
    identityMap.put("id", identity);
    identityMap.put("labels", simclusterSecurityLabels(cluster, namespace, app).entrySet().stream()
        .map(label -> label.getKey() + "=" + label.getValue()).toList());
    Map<String, Object> networking = new LinkedHashMap<>();
    networking.put("addressing", List.of(Map.of("ipv4", ip)));
    networking.put("node", nodeIp);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("id", endpointId);
    status.put("identity", identityMap);
    status.put("networking", networking);
    status.put("named-ports", List.of(Map.of("name", "http", "port", 8080, "protocol", "TCP")));
    status.put("encryption", Map.of("key", 0));
    status.put("service-account", "default");
    status.put("state", "ready");
    status.put("external-identifiers", Map.of("k8s-namespace", namespace, "k8s-pod-name", pod,
        "pod-name", namespace + "/" + pod, "container-id", UUID.nameUUIDFromBytes(
            (cluster + "/" + namespace + "/" + pod).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "")));
    endpoint.setAdditionalProperty("status", status);
    return endpoint;
  }

  /** A CiliumNode with the given spec map (null: no spec). */
  static GenericKubernetesResource node(String name, Map<String, String> labels, Map<String, Object> spec) {
    GenericKubernetesResource node = resource("CiliumNode", name, null);
    node.getMetadata().setLabels(labels);
    if (spec != null) {
      node.setAdditionalProperty("spec", spec);
    }
    return node;
  }

  /** A CiliumNode exactly as simcluster's {@code CiliumObjects.node} seeds it. */
  static GenericKubernetesResource simclusterNode(String cluster, String nodeName, String internalIp, String routerIp,
      String podCidr, String healthIp) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("addresses", List.of(Map.of("type", "InternalIP", "ip", internalIp),
        Map.of("type", "CiliumInternalIP", "ip", routerIp)));
    spec.put("ipam", Map.of("podCIDRs", List.of(podCidr)));
    spec.put("health", Map.of("ipv4", healthIp));
    spec.put("encryption", Map.of("key", 0));
    spec.put("bootid", UUID.nameUUIDFromBytes((cluster + "/" + nodeName).getBytes(StandardCharsets.UTF_8)).toString());
    return node(nodeName, Map.of("kubernetes.io/hostname", nodeName, "kubernetes.io/os", "linux",
        "kubernetes.io/arch", "amd64"), spec);
  }
}
