package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Builds the plain Kubernetes objects of a simulated cluster that runs Cilium. */
final class KubernetesObjects {

  static final String CILIUM_NAMESPACE = "kube-system";
  static final String CILIUM_CONFIG = "cilium-config";
  static final String CILIUM_DAEMONSET = "cilium";
  static final String CILIUM_IMAGE = "quay.io/cilium/cilium:v1.19.5";
  static final String GLOBAL_SERVICE_ANNOTATION = "service.cilium.io/global";
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** The EndpointSlice controller's default slice size. */
  static final int MAX_ENDPOINTS_PER_SLICE = 100;
  static final int SERVICE_PORT = 80;

  private final String clusterName;
  private final int clusterId;
  private final int maxConnectedClusters;
  private final AddressPlan addresses;
  private final WorkloadPlan workloads;

  KubernetesObjects(ClusterSpec cluster, int maxConnectedClusters, AddressPlan addresses, WorkloadPlan workloads) {
    this.clusterName = cluster.name();
    this.clusterId = cluster.id();
    this.maxConnectedClusters = maxConnectedClusters;
    this.addresses = addresses;
    this.workloads = workloads;
  }

  static Namespace namespace(String name) {
    return new NamespaceBuilder()
        .withNewMetadata().withName(name).addToLabels("kubernetes.io/metadata.name", name).endMetadata()
        .withNewStatus().withPhase("Active").endStatus()
        .build();
  }

  /** The agent's configuration: the cluster identity a clustermesh control plane reads. */
  ConfigMap ciliumConfig() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("cluster-name", clusterName);
    data.put("cluster-id", String.valueOf(clusterId));
    data.put("max-connected-clusters", String.valueOf(maxConnectedClusters));
    data.put("identity-allocation-mode", "crd");
    data.put("ipam", "kubernetes");
    data.put("routing-mode", "tunnel");
    data.put("tunnel-protocol", "vxlan");
    data.put("enable-ipv4", "true");
    data.put("enable-ipv6", "false");
    data.put("cluster-pool-ipv4-cidr", addresses.clusterPodRange());
    return new ConfigMapBuilder()
        .withNewMetadata().withName(CILIUM_CONFIG).withNamespace(CILIUM_NAMESPACE).endMetadata()
        .withData(data)
        .build();
  }

  String nodeName(int n) {
    return clusterName + "-node-" + n;
  }

  static Map<String, String> nodeLabels(String nodeName) {
    return Map.of("kubernetes.io/hostname", nodeName, "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64");
  }

  Node node(int n) {
    String name = nodeName(n);
    String podCidr = addresses.nodePodCidr(n);
    return new NodeBuilder()
        .withNewMetadata().withName(name).withLabels(nodeLabels(name)).endMetadata()
        .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
        .withNewStatus()
          .addNewAddress().withType("InternalIP").withAddress(addresses.nodeInternalIp(n)).endAddress()
          .addNewAddress().withType("Hostname").withAddress(name).endAddress()
          .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
            .withMessage("kubelet is posting ready status").endCondition()
          .withNewNodeInfo().withKubeletVersion(SimulatedClusterDispatcher.VERSION.get("gitVersion"))
            .withOperatingSystem("linux").withArchitecture("amd64").withContainerRuntimeVersion("containerd://1.7.20")
          .endNodeInfo()
        .endStatus()
        .build();
  }

  /** The Cilium agent DaemonSet, fully rolled out on every node. */
  DaemonSet ciliumDaemonSet(int nodes) {
    Map<String, String> selector = Map.of("k8s-app", "cilium");
    return new DaemonSetBuilder()
        .withNewMetadata().withName(CILIUM_DAEMONSET).withNamespace(CILIUM_NAMESPACE).withLabels(selector)
        .endMetadata()
        .withNewSpec()
          .withNewSelector().withMatchLabels(selector).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(selector).endMetadata()
            .withNewSpec().withServiceAccountName("cilium").withHostNetwork(true)
              .addNewContainer().withName("cilium-agent").withImage(CILIUM_IMAGE).endContainer()
            .endSpec()
          .endTemplate()
        .endSpec()
        .withNewStatus()
          .withDesiredNumberScheduled(nodes).withCurrentNumberScheduled(nodes).withNumberReady(nodes)
          .withNumberAvailable(nodes).withUpdatedNumberScheduled(nodes).withNumberMisscheduled(0)
          .withObservedGeneration(1L)
        .endStatus()
        .build();
  }

  /** Global service s, or with global=false the simulated cluster's one local-only service. */
  Service service(String name, int identity, int clusterIpIndex, boolean global) {
    ServiceBuilder builder = new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(workloads.namespaceOfIdentity(identity)).endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withClusterIP(addresses.serviceIp(clusterIpIndex)).withClusterIPs(addresses.serviceIp(clusterIpIndex))
          .withIpFamilies("IPv4").withIpFamilyPolicy("SingleStack")
          .withSelector(Map.of("app", workloads.appOfIdentity(identity)))
          .addNewPort().withName(CiliumObjects.NAMED_PORT).withProtocol("TCP").withPort(SERVICE_PORT)
            .withTargetPort(new IntOrString(CiliumObjects.CONTAINER_PORT)).endPort()
        .endSpec();
    if (global) {
      builder.editMetadata().addToAnnotations(GLOBAL_SERVICE_ANNOTATION, "true").endMetadata();
    }
    return builder.build();
  }

  /** The EndpointSlices of a service: its application's endpoints, ready, at most 100 a slice. */
  List<EndpointSlice> endpointSlices(String serviceName, int identity) {
    List<Integer> backends = workloads.endpointsOfIdentity(identity);
    int sliceCount = Math.max(1, (backends.size() + MAX_ENDPOINTS_PER_SLICE - 1) / MAX_ENDPOINTS_PER_SLICE);
    return IntStream.range(0, sliceCount).mapToObj(slice -> new EndpointSliceBuilder()
        .withNewMetadata()
          .withName(serviceName + "-" + slice)
          .withNamespace(workloads.namespaceOfIdentity(identity))
          .addToLabels(SERVICE_NAME_LABEL, serviceName)
          .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
        .endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(backends.subList(slice * MAX_ENDPOINTS_PER_SLICE,
            Math.min(backends.size(), (slice + 1) * MAX_ENDPOINTS_PER_SLICE)).stream().map(this::sliceEndpoint)
            .toList())
        .addNewPort().withName(CiliumObjects.NAMED_PORT).withProtocol("TCP").withPort(CiliumObjects.CONTAINER_PORT)
        .endPort()
        .build()).toList();
  }

  private Endpoint sliceEndpoint(int endpoint) {
    String namespace = workloads.namespaceOfIdentity(workloads.identityOfEndpoint(endpoint));
    return new EndpointBuilder()
        .withAddresses(addresses.endpointIp(endpoint))
        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
        .withNodeName(nodeName(addresses.nodeOfEndpoint(endpoint)))
        .withNewTargetRef().withKind("Pod").withNamespace(namespace).withName(workloads.podName(endpoint))
        .endTargetRef()
        .build();
  }
}
