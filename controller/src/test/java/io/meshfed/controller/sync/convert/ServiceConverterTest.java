package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.BackendZone;
import io.meshfed.api.kvstore.ClusterService;
import io.meshfed.api.kvstore.L4Addr;
import io.meshfed.api.kvstore.PortConfiguration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ServiceConverterTest {

  static final String NS = "shop";
  static final String NAME = "cart";

  private final ServiceConverter cluster3 = new ServiceConverter(CLUSTER3);

  static ServiceBuilder service(Map<String, String> annotations) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace(NS).withName(NAME).withAnnotations(annotations)
          .withLabels(Map.of("team", "checkout")).endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10", "fd00:96::a")
          .withSelector(Map.of("app", "cart"))
          .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNewTargetPort(8080).endPort()
          .addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort()
        .endSpec();
  }

  static Service global() {
    return service(Map.of("service.cilium.io/global", "true")).build();
  }

  static EndpointSliceBuilder slice(String name, String addressType) {
    return new EndpointSliceBuilder()
        .withNewMetadata().withNamespace(NS).withName(name).addToLabels("kubernetes.io/service-name", NAME).endMetadata()
        .withAddressType(addressType);
  }

  static Endpoint endpoint(Boolean ready, Boolean serving, String... addresses) {
    return new EndpointBuilder().withAddresses(addresses)
        .withNewConditions().withReady(ready).withServing(serving).endConditions().build();
  }

  static ClusterService exported(ServiceConversion conversion) {
    assertThat(conversion.conversion()).isInstanceOf(Conversion.Entries.class);
    KeyValue entry = ((Conversion.Entries) conversion.conversion()).entries().get(0);
    ClusterService decoded = ClusterService.fromJson(entry.value()).value();
    assertThat(conversion.service()).contains(decoded);
    return decoded;
  }

  static List<Finding> findings(ServiceConversion conversion) {
    assertThat(conversion.conversion()).isInstanceOf(Conversion.Refused.class);
    assertThat(conversion.service()).isEmpty();
    return ((Conversion.Refused) conversion.conversion()).findings();
  }

  @Test
  @DisplayName("every field of spec 2.1: frontends per cluster IP with all ports, ready backends, hostnames, zones")
  void mapsEveryField() {
    EndpointSlice v4 = slice("cart-abc12", "IPv4")
        .addToEndpoints(new EndpointBuilder(endpoint(true, true, "10.244.1.10")).withHostname("cart-0")
            .withZone("zone-a").withNewHints().addNewForZone("zone-a").addNewForZone("zone-b").endHints().build())
        .addToEndpoints(new EndpointBuilder(endpoint(true, true, "10.244.2.11")).withZone("zone-b").build())
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .addNewPort().withName("dns").withProtocol("UDP").withPort(5353).endPort()
        .build();
    EndpointSlice v6 = slice("cart-def34", "IPv6")
        .addToEndpoints(endpoint(true, true, "fd00:10:244:1::a"))
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .build();

    ServiceConversion conversion = cluster3.convert(global(), List.of(v6, v4));

    KeyValue entry = ((Conversion.Entries) conversion.conversion()).entries().get(0);
    assertThat(entry.key()).isEqualTo("cilium/cache/services/v1/cluster3/shop/cart");
    ClusterService service = exported(conversion);
    PortConfiguration frontendPorts = new PortConfiguration(Map.of("http", L4Addr.tcp(80), "dns", L4Addr.udp(53)));
    assertThat(service.cluster()).isEqualTo("cluster3");
    assertThat(service.clusterId()).isEqualTo(3);
    assertThat(service.namespace()).isEqualTo(NS);
    assertThat(service.name()).isEqualTo(NAME);
    assertThat(service.frontends()).containsOnly(Map.entry("10.96.0.10", frontendPorts),
        Map.entry("fd00:96::a", frontendPorts));
    PortConfiguration backendPorts = new PortConfiguration(Map.of("http", L4Addr.tcp(8080), "dns", L4Addr.udp(5353)));
    assertThat(service.backends()).containsOnly(Map.entry("10.244.1.10", backendPorts),
        Map.entry("10.244.2.11", backendPorts),
        Map.entry("fd00:10:244:1::a", PortConfiguration.of("http", L4Addr.tcp(8080))));
    assertThat(service.hostnames()).containsOnly(Map.entry("10.244.1.10", "cart-0"));
    assertThat(service.zones()).containsOnly(
        Map.entry("10.244.1.10", new BackendZone("zone-a", List.of("zone-a", "zone-b"))),
        Map.entry("10.244.2.11", new BackendZone("zone-b", List.of())));
    assertThat(service.labels()).containsOnly(Map.entry("team", "checkout"));
    assertThat(service.selector()).containsOnly(Map.entry("app", "cart"));
    assertThat(service.includeExternal()).isTrue();
    assertThat(service.shared()).isTrue();
    assertThat(conversion.annotations().affinity()).isEqualTo(ServiceAffinity.NONE);
  }

  @Test
  @DisplayName("unnamed ports use key \"\"; a port without protocol is TCP, as the API server defaults it")
  void unnamedPortsAndDefaultProtocol() {
    Service service = new ServiceBuilder(global()).editSpec().withPorts()
        .addNewPort().withPort(80).endPort().endSpec().build();
    EndpointSlice slice = slice("cart-1", "IPv4").addToEndpoints(endpoint(true, null, "10.244.1.10"))
        .addNewPort().withPort(8080).endPort().build();

    ClusterService exported = exported(cluster3.convert(service, List.of(slice)));

    assertThat(exported.frontends().get("10.96.0.10")).isEqualTo(PortConfiguration.unnamed(L4Addr.tcp(80)));
    assertThat(exported.backends().get("10.244.1.10")).isEqualTo(PortConfiguration.unnamed(L4Addr.tcp(8080)));
  }

  @Test
  @DisplayName("an endpoint in two slices gets the ports of both (the controller splits slices by port set)")
  void addressInTwoSlices() {
    EndpointSlice first = slice("cart-a", "IPv4").addToEndpoints(endpoint(true, true, "10.244.1.10"))
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort().build();
    EndpointSlice second = slice("cart-b", "IPv4").addToEndpoints(endpoint(true, true, "10.244.1.10"))
        .addNewPort().withName("metrics").withProtocol("TCP").withPort(9090).endPort()
        .addNewPort().withName("http").withProtocol("TCP").withPort(1).endPort().build();

    ClusterService exported = exported(cluster3.convert(global(), List.of(second, first)));

    assertThat(exported.backends().get("10.244.1.10")).isEqualTo(
        new PortConfiguration(Map.of("http", L4Addr.tcp(8080), "metrics", L4Addr.tcp(9090))));
  }

  @Test
  @DisplayName("slice ports with another protocol or no number are dropped, as Cilium drops them")
  void droppedSlicePorts() {
    EndpointSlice slice = slice("cart-1", "IPv4").addToEndpoints(endpoint(true, true, "10.244.1.10"))
        .addNewPort().withName("weird").withProtocol("ICMP").withPort(1).endPort()
        .addNewPort().withName("all").withProtocol("TCP").endPort()
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort().build();

    assertThat(exported(cluster3.convert(global(), List.of(slice))).backends().get("10.244.1.10"))
        .isEqualTo(PortConfiguration.of("http", L4Addr.tcp(8080)));
  }

  @Test
  @DisplayName("slices of another service or namespace, and FQDN slices, are ignored")
  void foreignSlicesIgnored() {
    EndpointSlice otherService = slice("other-1", "IPv4").editMetadata()
        .addToLabels("kubernetes.io/service-name", "other").endMetadata()
        .addToEndpoints(endpoint(true, true, "10.244.9.9")).build();
    EndpointSlice otherNamespace = slice("cart-x", "IPv4").editMetadata().withNamespace("elsewhere").endMetadata()
        .addToEndpoints(endpoint(true, true, "10.244.9.8")).build();
    EndpointSlice fqdn = slice("cart-fqdn", "FQDN").addToEndpoints(endpoint(true, true, "example.com")).build();

    assertThat(exported(cluster3.convert(global(), List.of(otherService, otherNamespace, fqdn))).backends()).isEmpty();
  }

  @Nested
  @DisplayName("backend conditions (ready OR serving; unset counts as true)")
  class Conditions {

    private Map<String, PortConfiguration> backends(Endpoint... endpoints) {
      return exported(cluster3.convert(global(), List.of(slice("cart-1", "IPv4").addToEndpoints(endpoints).build())))
          .backends();
    }

    @Test
    @DisplayName("not ready but serving (a terminating pod) is included")
    void notReadyButServing() {
      assertThat(backends(endpoint(false, true, "10.244.1.10"))).containsOnlyKeys("10.244.1.10");
    }

    @Test
    @DisplayName("neither ready nor serving is excluded")
    void notReadyNotServing() {
      assertThat(backends(endpoint(false, false, "10.244.1.10"), endpoint(true, true, "10.244.1.11")))
          .containsOnlyKeys("10.244.1.11");
    }

    @Test
    @DisplayName("ready unset counts as ready, even with serving false")
    void readyUnset() {
      assertThat(backends(endpoint(null, false, "10.244.1.10"))).containsOnlyKeys("10.244.1.10");
    }

    @Test
    @DisplayName("serving unset counts as serving (Cilium's reading), no conditions at all as ready")
    void servingUnsetAndNoConditions() {
      Endpoint noConditions = new EndpointBuilder().withAddresses("10.244.1.12").build();
      assertThat(backends(endpoint(false, null, "10.244.1.10"), noConditions))
          .containsOnlyKeys("10.244.1.10", "10.244.1.12");
    }
  }

  @Nested
  @DisplayName("headless services")
  class Headless {

    @Test
    @DisplayName("clusterIP None (any case): no frontends, backends still exported")
    void clusterIpNone() {
      Service headless = new ServiceBuilder(global()).editSpec().withClusterIP("None").withClusterIPs("None")
          .endSpec().build();
      EndpointSlice slice = slice("cart-1", "IPv4").addToEndpoints(new EndpointBuilder(endpoint(true, true, "10.244.1.10"))
          .withHostname("cart-0").build()).build();

      ClusterService exported = exported(cluster3.convert(headless, List.of(slice)));

      assertThat(exported.frontends()).isEmpty();
      assertThat(exported.backends()).containsOnlyKeys("10.244.1.10");
      assertThat(exported.hostnames()).containsOnly(Map.entry("10.244.1.10", "cart-0"));
      Service lowerCase = new ServiceBuilder(global()).editSpec().withClusterIP("none").withClusterIPs().endSpec().build();
      assertThat(exported(cluster3.convert(lowerCase, List.of())).frontends()).isEmpty();
    }

    @Test
    @DisplayName("the service.kubernetes.io/headless label makes a service headless, as in Cilium")
    void headlessLabel() {
      Service labelled = new ServiceBuilder(global()).editMetadata()
          .addToLabels("service.kubernetes.io/headless", "").endMetadata().build();

      assertThat(exported(cluster3.convert(labelled, List.of())).frontends()).isEmpty();
    }

    @Test
    @DisplayName("an ExternalName service (no cluster IP) has no frontend")
    void externalName() {
      Service externalName = new ServiceBuilder(global()).editSpec().withType("ExternalName")
          .withExternalName("db.example.com").withClusterIP(null).withClusterIPs().endSpec().build();

      assertThat(exported(cluster3.convert(externalName, List.of())).frontends()).isEmpty();
    }

    @Test
    @DisplayName("spec.clusterIP is used when spec.clusterIPs is empty")
    void singleClusterIp() {
      Service old = new ServiceBuilder(global()).editSpec().withClusterIPs().endSpec().build();

      assertThat(exported(cluster3.convert(old, List.of())).frontends()).containsOnlyKeys("10.96.0.10");
    }
  }

  @Nested
  @DisplayName("global, shared and their aliases")
  class Export {

    private Conversion convert(Map<String, String> annotations) {
      return cluster3.convert(service(annotations).build(), List.of()).conversion();
    }

    @Test
    @DisplayName("not global: not exported, and the key to delete is named")
    void notGlobal() {
      Conversion conversion = convert(Map.of());

      assertThat(conversion).isEqualTo(new Conversion.NotExported("cilium/cache/services/v1/cluster3/shop/cart",
          "not a global service (service.cilium.io/global is not \"true\")"));
      assertThat(convert(Map.of("service.cilium.io/global", "false"))).isInstanceOf(Conversion.NotExported.class);
    }

    @Test
    @DisplayName("global via the current name or the old alias, any case of \"true\"")
    void globalNamesAndCase() {
      assertThat(convert(Map.of("service.cilium.io/global", "TRUE"))).isInstanceOf(Conversion.Entries.class);
      assertThat(convert(Map.of("io.cilium/global-service", "true"))).isInstanceOf(Conversion.Entries.class);
      assertThat(convert(Map.of("io.cilium/global-service", "True"))).isInstanceOf(Conversion.Entries.class);
    }

    @Test
    @DisplayName("the current name wins over the alias when both are set")
    void currentNameWins() {
      assertThat(convert(Map.of("service.cilium.io/global", "false", "io.cilium/global-service", "true")))
          .isInstanceOf(Conversion.NotExported.class);
    }

    @Test
    @DisplayName("global but not shared: not exported (remote backends are still consumed)")
    void notShared() {
      ServiceConversion conversion = cluster3.convert(service(Map.of("service.cilium.io/global", "true",
          "service.cilium.io/shared", "False")).build(), List.of());

      assertThat(conversion.conversion()).isInstanceOf(Conversion.NotExported.class);
      assertThat(((Conversion.NotExported) conversion.conversion()).reason()).contains("not shared");
      assertThat(conversion.annotations().global()).isTrue();
      assertThat(conversion.annotations().shared()).isFalse();
      assertThat(convert(Map.of("io.cilium/global-service", "true", "io.cilium/shared-service", "false")))
          .isInstanceOf(Conversion.NotExported.class);
    }

    @Test
    @DisplayName("shared defaults to true; an explicit \"true\" in any case shares")
    void sharedDefault() {
      assertThat(convert(Map.of("service.cilium.io/global", "true", "service.cilium.io/shared", "TRUE")))
          .isInstanceOf(Conversion.Entries.class);
      assertThat(convert(Map.of("service.cilium.io/global", "true", "io.cilium/shared-service", "true")))
          .isInstanceOf(Conversion.Entries.class);
    }
  }

  @Nested
  @DisplayName("affinity: parsed for the merged view, never written")
  class Affinity {

    @Test
    @DisplayName("local, remote, none and the alias; the ClusterService JSON has no affinity")
    void parsed() {
      ServiceConversion local = cluster3.convert(service(Map.of("service.cilium.io/global", "true",
          "service.cilium.io/affinity", "Local")).build(), List.of());
      ServiceConversion remote = cluster3.convert(service(Map.of("service.cilium.io/global", "true",
          "io.cilium/service-affinity", "remote")).build(), List.of());

      assertThat(local.annotations().affinity()).isEqualTo(ServiceAffinity.LOCAL);
      assertThat(remote.annotations().affinity()).isEqualTo(ServiceAffinity.REMOTE);
      assertThat(((Conversion.Entries) local.conversion()).entries().get(0).valueAsString()).doesNotContain("ffinity");
      assertThat(((Conversion.Entries) local.conversion()).entries())
          .isEqualTo(((Conversion.Entries) cluster3.convert(global(), List.of()).conversion()).entries());
    }

    @Test
    @DisplayName("an unknown value is a warning and reads as none")
    void unknownValue() {
      ServiceConversion conversion = cluster3.convert(service(Map.of("service.cilium.io/global", "true",
          "service.cilium.io/affinity", "nearest")).build(), List.of());

      assertThat(conversion.conversion()).isInstanceOf(Conversion.Entries.class);
      assertThat(conversion.annotations().affinity()).isEqualTo(ServiceAffinity.NONE);
      assertThat(conversion.annotations().warnings()).singleElement().satisfies(warning -> {
        assertThat(warning.field()).isEqualTo("metadata.annotations[\"service.cilium.io/affinity\"]");
        assertThat(warning.value()).isEqualTo("nearest");
        assertThat(warning.rule()).contains("treated as none");
      });
    }

    @Test
    @DisplayName("affinity of a service that is not global is ignored, as Cilium ignores it")
    void notGlobal() {
      ServiceConversion conversion = cluster3.convert(service(Map.of("service.cilium.io/affinity", "local")).build(),
          List.of());

      assertThat(conversion.annotations().affinity()).isEqualTo(ServiceAffinity.NONE);
      assertThat(conversion.annotations().warnings()).isEmpty();
    }
  }

  @Nested
  @DisplayName("refused")
  class Refused {

    @Test
    @DisplayName("unparsable cluster IP and backend addresses, all named")
    void unparsableIps() {
      Service service = new ServiceBuilder(global()).editSpec().withClusterIPs("10.96.0.300", "fd00:96::a").endSpec()
          .build();
      EndpointSlice slice = slice("cart-1", "IPv4").addToEndpoints(endpoint(true, true, "10.244.1.10", "10.244.1"))
          .build();

      assertThat(findings(cluster3.convert(service, List.of(slice)))).extracting(Finding::field, Finding::value)
          .containsExactly(tuple("spec.clusterIPs[0]", "10.96.0.300"),
              tuple("endpointslices[\"cart-1\"].endpoints[0].addresses[1]", "10.244.1"));
    }

    @Test
    @DisplayName("a service port without number or with an unknown protocol")
    void badServicePorts() {
      Service service = new ServiceBuilder(global()).editSpec().withPorts()
          .addNewPort().withName("a").endPort()
          .addNewPort().withName("b").withProtocol("ICMP").withPort(1).endPort().endSpec().build();

      assertThat(findings(cluster3.convert(service, List.of()))).extracting(Finding::field)
          .containsExactly("spec.ports[0].port", "spec.ports[1].protocol");
    }

    @Test
    @DisplayName("a not-exported service is not checked: its key is deleted whatever it holds")
    void notExportedIsNotChecked() {
      Service service = new ServiceBuilder(service(Map.of()).build()).editSpec().withClusterIPs("bad").endSpec().build();

      assertThat(cluster3.convert(service, List.of()).conversion()).isInstanceOf(Conversion.NotExported.class);
    }
  }

  @Test
  @DisplayName("a global Service and EndpointSlices as simcluster seeds them")
  void simclusterService() {
    Service service = new ServiceBuilder()
        .withNewMetadata().withName("svc-0").withNamespace("ns-0")
          .addToAnnotations("service.cilium.io/global", "true").endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("10.103.0.10").withClusterIPs("10.103.0.10")
          .withIpFamilies("IPv4").withIpFamilyPolicy("SingleStack").withSelector(Map.of("app", "app-0"))
          .addNewPort().withName("http").withProtocol("TCP").withPort(80)
            .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(8080)).endPort()
        .endSpec().build();
    EndpointSlice slice = new EndpointSliceBuilder()
        .withNewMetadata().withName("svc-0-0").withNamespace("ns-0")
          .addToLabels("kubernetes.io/service-name", "svc-0")
          .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("10.3.0.17")
          .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
          .withNodeName("cluster3-node-0")
          .withNewTargetRef().withKind("Pod").withNamespace("ns-0").withName("app-0-0").endTargetRef()
        .endEndpoint()
        .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
        .build();

    ServiceConversion conversion = cluster3.convert(service, List.of(slice));

    assertThat(((Conversion.Entries) conversion.conversion()).entries()).containsExactly(new KeyValue(
        "cilium/cache/services/v1/cluster3/ns-0/svc-0",
        ("{\"cluster\":\"cluster3\",\"namespace\":\"ns-0\",\"name\":\"svc-0\","
            + "\"frontends\":{\"10.103.0.10\":{\"http\":{\"Protocol\":\"TCP\",\"Port\":80}}},"
            + "\"backends\":{\"10.3.0.17\":{\"http\":{\"Protocol\":\"TCP\",\"Port\":8080}}},"
            + "\"labels\":{},\"selector\":{\"app\":\"app-0\"},\"includeExternal\":true,\"shared\":true,"
            + "\"clusterID\":3}").getBytes()));
  }
}
