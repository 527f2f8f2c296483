package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The example values of spec section 2 come out of the converters byte for byte, from the member
 * objects that would produce them in cluster3 (ID 3, 255 mesh). The golden files belong to the
 * api module; see {@link Golden}.
 */
class SpecGoldenValuesTest {

  @Test
  @DisplayName("spec 2.2: CiliumIdentity 196915 → identities/v1/cluster3/id/196915 = golden label string")
  void identity() {
    Map<String, String> securityLabels = new LinkedHashMap<>();
    securityLabels.put("k8s:io.kubernetes.pod.namespace", "bar");
    securityLabels.put("k8s:io.cilium.k8s.policy.cluster", "cluster3");
    securityLabels.put("k8s:app", "baz");

    Conversion conversion = new IdentityConverter(CLUSTER3).convert(Fixtures.identity("196915", securityLabels));

    assertThat(conversion).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/identities/v1/cluster3/id/196915", Golden.bytes("identity.cluster3.196915.labels")))));
  }

  @Test
  @DisplayName("spec 2.3: CiliumEndpoint bar/cep-002 → ip/v1/cluster3/10.244.2.74 = golden IPIdentityPair")
  void ipcache() {
    Map<String, Object> status = Fixtures.endpointStatus(199_475, "172.18.0.2", List.of(Fixtures.ipv4("10.244.2.74")));
    status.put("encryption", Map.of("key", 5));
    status.put("named-ports", List.of(Map.of("name", "http", "port", 8080, "protocol", "TCP")));
    status.put("service-account", "default");

    EndpointConversion conversion = new EndpointConverter(CLUSTER3).convert(Fixtures.endpoint("bar", "cep-002", status));

    assertThat(conversion.conversion()).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/ip/v1/cluster3/10.244.2.74", Golden.compactJson("ipcache.10.244.2.74.json")))));
  }

  @Test
  @DisplayName("spec 2.4: CiliumNode test-node-1 → nodes/v1/cluster3/test-node-1 = golden Node")
  void node() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("addresses", List.of(Map.of("type", "InternalIP", "ip", "172.18.0.2"),
        Map.of("type", "CiliumInternalIP", "ip", "10.244.0.10")));
    spec.put("ipam", Map.of("podCIDRs", List.of("10.244.0.0/24")));
    spec.put("health", Map.of("ipv4", "10.244.0.134"));
    spec.put("bootid", "570d3fd1-93db-4862-ba99-6a3c2c10c38f");
    GenericKubernetesResource ciliumNode = Fixtures.node("test-node-1", Map.of("kubernetes.io/hostname", "test-node-1"),
        spec);

    Conversion conversion = new NodeConverter(CLUSTER3).convert(ciliumNode);

    assertThat(conversion).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/nodes/v1/cluster3/test-node-1", Golden.compactJson("node.cluster3.test-node-1.json")))));
  }

  @Test
  @DisplayName("spec 2.1: global Service ns-alpha/echo-service + slice → services/v1/cluster3/ns-alpha/echo-service")
  void service() {
    Service service = new ServiceBuilder()
        .withNewMetadata().withNamespace("ns-alpha").withName("echo-service")
          .addToAnnotations("service.cilium.io/global", "true").endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10")
          .withSelector(Map.of("app", "echo"))
          .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNewTargetPort(8080).endPort()
        .endSpec()
        .build();
    EndpointSlice slice = new EndpointSliceBuilder()
        .withNewMetadata().withNamespace("ns-alpha").withName("echo-service-x7k2p")
          .addToLabels("kubernetes.io/service-name", "echo-service").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("10.244.1.10").withNewConditions().withReady(true).endConditions()
          .withZone("zone1").withNewHints().addNewForZone("zone1").endHints().endEndpoint()
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .build();

    ServiceConversion conversion = new ServiceConverter(CLUSTER3).convert(service, List.of(slice));

    assertThat(conversion.conversion()).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/services/v1/cluster3/ns-alpha/echo-service",
        Golden.compactJson("cluster-service.cluster3.ns-alpha.echo-service.json")))));
  }
}
