package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshfed.api.kvstore.CiliumNode;
import io.meshfed.api.kvstore.ClusterService;
import io.meshfed.api.kvstore.IPIdentityPair;
import io.meshfed.api.kvstore.NamedPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Objects as {@code kubectl get -o yaml} shows them in a real Cilium cluster, read by fabric8's
 * own deserializer (so numbers, lists and maps have the types an informer delivers), each with
 * the fields a converter ignores (status, owner references, external identifiers ...).
 */
class RealisticObjectsTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static <T> T load(String name, Class<T> type) {
    try (InputStream in = RealisticObjectsTest.class.getResourceAsStream("/sync/convert/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return SERIALIZATION.unmarshal(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("CiliumIdentity 196915 from YAML gives the spec 2.2 label string")
  void identity() {
    Conversion conversion = new IdentityConverter(CLUSTER3).convert(load("ciliumidentity.yaml",
        GenericKubernetesResource.class));

    assertThat(conversion).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/identities/v1/cluster3/id/196915",
        "k8s:app=baz;k8s:io.cilium.k8s.policy.cluster=cluster3;k8s:io.kubernetes.pod.namespace=bar;".getBytes()))));
  }

  @Test
  @DisplayName("a dual-stack CiliumEndpoint from YAML gives two ipcache entries")
  void endpoint() {
    EndpointConversion conversion = new EndpointConverter(CLUSTER3).convert(load("ciliumendpoint.yaml",
        GenericKubernetesResource.class));

    List<KeyValue> entries = ((Conversion.Entries) conversion.conversion()).entries();
    assertThat(entries).extracting(KeyValue::key).containsExactly("cilium/cache/ip/v1/cluster3/10.244.2.74",
        "cilium/cache/ip/v1/cluster3/fd00:10:244:2::e024");
    IPIdentityPair v6 = IPIdentityPair.fromJson(entries.get(1).value()).value();
    assertThat(v6.identity()).isEqualTo(199_475);
    assertThat(v6.encryptionKey()).isEqualTo(5);
    assertThat(v6.hostIp()).hasToString("172.18.0.2");
    assertThat(v6.k8sServiceAccount()).isEqualTo("default");
    assertThat(v6.namedPorts()).containsExactlyInAnyOrder(new NamedPort("http", 8080, "TCP"),
        new NamedPort("dns", 53, "UDP"));
  }

  @Test
  @DisplayName("a dual-stack CiliumNode from YAML, with empty cloud sections, converts")
  void node() {
    Conversion conversion = new NodeConverter(CLUSTER3).convert(load("ciliumnode.yaml", GenericKubernetesResource.class));

    CiliumNode node = CiliumNode.fromJson(((Conversion.Entries) conversion).entries().get(0).value()).value();
    assertThat(node.ipAddresses()).hasSize(4);
    assertThat(node.ipv4AllocCidr()).hasToString("10.244.0.0/24");
    assertThat(node.ipv6AllocCidr()).hasToString("fd00:10:244::/64");
    assertThat(node.ipv6HealthIp()).hasToString("fd00:10:244::86");
    assertThat(node.ipv4IngressIp()).isNull();
    assertThat(node.wireguardPubKey()).isEqualTo("3u6mCkFeXqJ3iHxK2ahDx0Kz1zUkW3j2Hk3PZb1lU1c=");
    assertThat(node.labels()).hasSize(3);
  }

  @Test
  @DisplayName("a dual-stack global Service with two slices: terminating-but-serving kept, gone dropped, affinity read")
  void service() {
    ServiceConversion conversion = new ServiceConverter(CLUSTER3).convert(load("service.yaml", Service.class),
        List.of(load("endpointslice-ipv4.yaml", EndpointSlice.class), load("endpointslice-ipv6.yaml", EndpointSlice.class)));

    ClusterService service = conversion.service().orElseThrow();
    assertThat(service.frontends()).containsOnlyKeys("10.96.0.10", "fd00:10:96::a");
    assertThat(service.backends()).containsOnlyKeys("10.244.1.10", "10.244.2.20", "fd00:10:244:1::a");
    assertThat(service.zones()).containsOnlyKeys("10.244.1.10", "10.244.2.20", "fd00:10:244:1::a");
    assertThat(service.zones().get("10.244.1.10").forZones()).containsExactly("zone1");
    assertThat(service.labels()).containsOnlyKeys("app.kubernetes.io/name");
    assertThat(conversion.annotations().affinity()).isEqualTo(ServiceAffinity.LOCAL);
    assertThat(conversion.annotations().warnings()).isEmpty();
  }
}
