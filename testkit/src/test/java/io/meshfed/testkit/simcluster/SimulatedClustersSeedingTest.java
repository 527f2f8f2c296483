package io.meshfed.testkit.simcluster;

import static io.meshfed.testkit.simcluster.SimulatedClusterClients.CILIUM_CRD_NAMES;
import static io.meshfed.testkit.simcluster.SimulatedClusterClients.ENDPOINTS;
import static io.meshfed.testkit.simcluster.SimulatedClusterClients.IDENTITIES;
import static io.meshfed.testkit.simcluster.SimulatedClusterClients.NETWORK_POLICIES;
import static io.meshfed.testkit.simcluster.SimulatedClusterClients.NODES;
import static io.meshfed.testkit.simcluster.SimulatedClusterClients.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Two simulated clusters are seeded like Cilium clusters and behave like API servers")
class SimulatedClustersSeedingTest {

  private static final int NODE_COUNT = 3;
  private static final int IDENTITY_COUNT = 12;
  private static final int ENDPOINT_COUNT = 30;
  private static final int GLOBAL_SERVICE_COUNT = 4;

  private static SimulatedClusters clusters;
  private static KubernetesClient c1;
  private static KubernetesClient c2;

  @BeforeAll
  static void startSimulatedClusters() {
    clusters = SimulatedClusters.builder()
        .cluster("c1", 1).cluster("c2", 2)
        .nodes(NODE_COUNT).identities(IDENTITY_COUNT).endpoints(ENDPOINT_COUNT).services(GLOBAL_SERVICE_COUNT)
        .namespaces(2)
        .start();
    c1 = SimulatedClusterClients.connect(clusters.cluster("c1"));
    c2 = SimulatedClusterClients.connect(clusters.cluster("c2"));
  }

  @AfterAll
  static void stopSimulatedClusters() {
    if (c1 != null) {
      c1.close();
    }
    if (c2 != null) {
      c2.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }

  @Test
  @DisplayName("ready.json names every simulated cluster with its id, its own port and a kubeconfig on that port")
  void readyFileDescribesEveryCluster() throws Exception {
    assertThat(clusters.clusters()).extracting(SimulatedCluster::name, SimulatedCluster::id)
        .containsExactly(tuple("c1", 1), tuple("c2", 2));
    assertThat(clusters.cluster("c1").port()).isNotEqualTo(clusters.cluster("c2").port());
    for (SimulatedCluster cluster : clusters.clusters()) {
      assertThat(Files.readString(cluster.kubeconfig()))
          .contains("server: http://127.0.0.1:" + cluster.port())
          .contains("current-context: " + cluster.name());
    }
    assertThat(c1.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
  }

  @Test
  @DisplayName("each simulated cluster has its own kube-system uid and a cilium-config naming it")
  void clusterIdentityObjects() {
    String uid1 = c1.namespaces().withName("kube-system").get().getMetadata().getUid();
    String uid2 = c2.namespaces().withName("kube-system").get().getMetadata().getUid();
    assertThat(uid1).isNotBlank().isNotEqualTo(uid2);
    assertThat(c1.namespaces().withName("default").get()).isNotNull();

    for (SimulatedCluster cluster : clusters.clusters()) {
      KubernetesClient client = client(cluster);
      ConfigMap config = client.configMaps().inNamespace("kube-system").withName("cilium-config").get();
      assertThat(config.getData())
          .containsEntry("cluster-name", cluster.name())
          .containsEntry("cluster-id", String.valueOf(cluster.id()))
          .containsEntry("max-connected-clusters", "255");
    }
  }

  @Test
  @DisplayName("the five Cilium CRDs are registered with Cilium's scopes, and their objects can be listed")
  void ciliumCrdsAreRegistered() {
    Map<String, String> scopes = c1.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .collect(Collectors.toMap(crd -> crd.getMetadata().getName(), crd -> crd.getSpec().getScope()));
    assertThat(scopes).containsOnlyKeys(CILIUM_CRD_NAMES)
        .containsEntry("ciliumidentities.cilium.io", "Cluster")
        .containsEntry("ciliumnodes.cilium.io", "Cluster")
        .containsEntry("ciliumclusterwidenetworkpolicies.cilium.io", "Cluster")
        .containsEntry("ciliumendpoints.cilium.io", "Namespaced")
        .containsEntry("ciliumnetworkpolicies.cilium.io", "Namespaced");
    CustomResourceDefinition cnp = c1.apiextensions().v1().customResourceDefinitions()
        .withName("ciliumnetworkpolicies.cilium.io").get();
    assertThat(cnp.getStatus().getConditions()).anySatisfy(condition -> {
      assertThat(condition.getType()).isEqualTo("Established");
      assertThat(condition.getStatus()).isEqualTo("True");
    });
  }

  @Test
  @DisplayName("nodes, CiliumNodes, identities, endpoints and services are there in the asked numbers")
  void seededCounts() {
    for (SimulatedCluster cluster : clusters.clusters()) {
      KubernetesClient client = client(cluster);
      assertThat(client.nodes().list().getItems()).hasSize(NODE_COUNT);
      assertThat(list(client, NODES)).hasSize(NODE_COUNT);
      assertThat(list(client, IDENTITIES)).hasSize(IDENTITY_COUNT);
      assertThat(list(client, ENDPOINTS)).hasSize(ENDPOINT_COUNT);
      List<Service> services = client.services().inAnyNamespace().list().getItems();
      assertThat(services).filteredOn(SimulatedClustersSeedingTest::isGlobal).hasSize(GLOBAL_SERVICE_COUNT);
      assertThat(services).filteredOn(service -> !isGlobal(service)).hasSize(1);

      DaemonSet cilium = client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      assertThat(cilium.getStatus().getDesiredNumberScheduled()).isEqualTo(NODE_COUNT);
      assertThat(cilium.getStatus().getNumberReady()).isEqualTo(NODE_COUNT);
    }
  }

  @Test
  @DisplayName("every node is Ready with an InternalIP and a pod CIDR, matching its CiliumNode")
  void nodesMatchCiliumNodes() {
    for (Node node : c1.nodes().list().getItems()) {
      String name = node.getMetadata().getName();
      assertThat(node.getStatus().getConditions())
          .anySatisfy(condition -> assertThat(condition.getType() + "=" + condition.getStatus()).isEqualTo("Ready=True"));
      String internalIp = node.getStatus().getAddresses().stream()
          .filter(address -> "InternalIP".equals(address.getType())).findFirst().orElseThrow().getAddress();
      GenericKubernetesResource ciliumNode = c1.genericKubernetesResources(NODES).withName(name).get();
      assertThat(ciliumNode).as("CiliumNode %s", name).isNotNull();
      assertThat(ciliumNode.<List<String>>get("spec", "ipam", "podCIDRs")).containsExactly(node.getSpec().getPodCIDR());
      assertThat(ciliumNode.<List<Map<String, String>>>get("spec", "addresses"))
          .contains(Map.of("type", "InternalIP", "ip", internalIp));
      assertThat(Ipv4Cidr.parse(node.getSpec().getPodCIDR()).contains(ciliumNode.get("spec", "health", "ipv4")))
          .isTrue();
    }
  }

  @Test
  @DisplayName("identities are in their cluster's range (cluster ID in bits 16-23) and carry its cluster label")
  void identitiesInClusterRange() {
    for (SimulatedCluster cluster : clusters.clusters()) {
      for (GenericKubernetesResource identity : list(client(cluster), IDENTITIES)) {
        long id = Long.parseLong(identity.getMetadata().getName());
        assertThat(id >> 16).as("cluster ID bits of %d", id).isEqualTo(cluster.id());
        assertThat(id & 0xffff).as("local part of %d", id).isGreaterThanOrEqualTo(256);
        Map<String, String> labels = identity.get("security-labels");
        assertThat(labels)
            .containsEntry("k8s:io.cilium.k8s.policy.cluster", cluster.name())
            .containsKeys("k8s:io.kubernetes.pod.namespace", "k8s:app");
      }
    }
  }

  @Test
  @DisplayName("each endpoint has a known identity, an address in its node's pod CIDR and a named port")
  void endpointsAreConsistent() {
    Map<String, String> podCidrByNodeIp = new HashMap<>();
    for (Node node : c2.nodes().list().getItems()) {
      node.getStatus().getAddresses().stream().filter(address -> "InternalIP".equals(address.getType()))
          .forEach(address -> podCidrByNodeIp.put(address.getAddress(), node.getSpec().getPodCIDR()));
    }
    List<String> identityNames = list(c2, IDENTITIES).stream().map(i -> i.getMetadata().getName()).toList();
    List<GenericKubernetesResource> endpoints = list(c2, ENDPOINTS);
    assertThat(endpoints).extracting(e -> e.getMetadata().getNamespace()).containsOnly("ns-0", "ns-1");
    for (GenericKubernetesResource endpoint : endpoints) {
      Number identity = endpoint.get("status", "identity", "id");
      assertThat(identityNames).contains(String.valueOf(identity));
      String nodeIp = endpoint.get("status", "networking", "node");
      String ip = endpoint.get("status", "networking", "addressing", 0, "ipv4");
      assertThat(podCidrByNodeIp).containsKey(nodeIp);
      assertThat(Ipv4Cidr.parse(podCidrByNodeIp.get(nodeIp)).contains(ip))
          .as("%s inside %s", ip, podCidrByNodeIp.get(nodeIp)).isTrue();
      assertThat(endpoint.<String>get("status", "named-ports", 0, "name")).isEqualTo("http");
    }
  }

  @Test
  @DisplayName("pod CIDRs of different simulated clusters never overlap")
  void podCidrsDoNotOverlap() {
    List<Ipv4Cidr> c1Cidrs = c1.nodes().list().getItems().stream()
        .map(node -> Ipv4Cidr.parse(node.getSpec().getPodCIDR())).toList();
    List<Ipv4Cidr> c2Cidrs = c2.nodes().list().getItems().stream()
        .map(node -> Ipv4Cidr.parse(node.getSpec().getPodCIDR())).toList();
    List<Ipv4Cidr> all = new ArrayList<>(c1Cidrs);
    all.addAll(c2Cidrs);
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        assertThat(all.get(i).overlaps(all.get(j))).as("%s overlaps %s", all.get(i), all.get(j)).isFalse();
      }
    }
  }

  @Test
  @DisplayName("global services are annotated and their ready EndpointSlices list the selected pods' IPs")
  void globalServicesHaveReadyEndpointSlices() {
    Map<String, String> endpointIpsByPod = list(c1, ENDPOINTS).stream().collect(Collectors.toMap(
        e -> e.getMetadata().getNamespace() + "/" + e.getMetadata().getName(),
        e -> e.get("status", "networking", "addressing", 0, "ipv4")));
    for (Service service : c1.services().inAnyNamespace().list().getItems()) {
      String namespace = service.getMetadata().getNamespace();
      List<EndpointSlice> slices = c1.discovery().v1().endpointSlices().inNamespace(namespace)
          .withLabel("kubernetes.io/service-name", service.getMetadata().getName()).list().getItems();
      assertThat(slices).as("slices of %s", service.getMetadata().getName()).isNotEmpty();
      assertThat(service.getSpec().getClusterIP()).isNotBlank();
      slices.stream().flatMap(slice -> slice.getEndpoints().stream()).forEach(endpoint -> {
        assertThat(endpoint.getConditions().getReady()).isTrue();
        String pod = namespace + "/" + endpoint.getTargetRef().getName();
        assertThat(endpoint.getAddresses()).containsExactly(endpointIpsByPod.get(pod));
      });
    }
  }

  @Test
  @DisplayName("a CiliumNetworkPolicy can be created, updated and deleted, a watch sees each step, the other"
      + " simulated cluster sees nothing")
  void networkPolicyCrudIsWatched() {
    List<String> events = new CopyOnWriteArrayList<>();
    Watcher<GenericKubernetesResource> recorder = new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource policy) {
        events.add(action + " " + policy.getMetadata().getName() + " " + policy.get("spec", "description"));
      }

      @Override
      public void onClose(WatcherException cause) {
        // Closed by the test.
      }
    };
    GenericKubernetesResource policy = new GenericKubernetesResourceBuilder()
        .withApiVersion("cilium.io/v2").withKind("CiliumNetworkPolicy")
        .withNewMetadata().withName("allow-app-0").withNamespace("ns-0").endMetadata()
        .addToAdditionalProperties("spec", Map.of(
            "description", "v1",
            "endpointSelector", Map.of("matchLabels", Map.of("app", "app-0")),
            "ingress", List.of(Map.of("fromEndpoints", List.of(Map.of("matchLabels", Map.of("app", "app-2")))))))
        .build();
    var policies = c1.genericKubernetesResources(NETWORK_POLICIES).inNamespace("ns-0");
    Watch watch = policies.watch(recorder);
    try {
      GenericKubernetesResource created = policies.resource(policy).create();
      assertThat(created.getMetadata().getUid()).isNotBlank();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED allow-app-0 v1"));

      policies.withName("allow-app-0").edit(current -> {
        current.<Map<String, Object>>get("spec").put("description", "v2");
        return current;
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("MODIFIED allow-app-0 v2"));
      assertThat(policies.withName("allow-app-0").get().getMetadata().getGeneration()).isEqualTo(2L);

      assertThat(c2.genericKubernetesResources(NETWORK_POLICIES).inNamespace("ns-0").list().getItems()).isEmpty();

      policies.withName("allow-app-0").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("DELETED allow-app-0 v2"));
      assertThat(policies.withName("allow-app-0").get()).isNull();
    } finally {
      watch.close();
    }
  }

  private static KubernetesClient client(SimulatedCluster cluster) {
    return "c1".equals(cluster.name()) ? c1 : c2;
  }

  private static boolean isGlobal(Service service) {
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get("service.cilium.io/global"));
  }
}
