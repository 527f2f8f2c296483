package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static io.meshfed.controller.sync.convert.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.CiliumNode;
import io.meshfed.api.kvstore.IpNet;
import io.meshfed.api.kvstore.NodeAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class NodeConverterTest {

  private final NodeConverter cluster3 = new NodeConverter(CLUSTER3);

  static KeyValue onlyEntry(Conversion conversion) {
    assertThat(conversion).isInstanceOf(Conversion.Entries.class);
    return ((Conversion.Entries) conversion).entries().get(0);
  }

  static CiliumNode decode(Conversion conversion) {
    return CiliumNode.fromJson(onlyEntry(conversion).value()).value();
  }

  static List<Finding> findings(Conversion conversion) {
    assertThat(conversion).isInstanceOf(Conversion.Refused.class);
    return ((Conversion.Refused) conversion).findings();
  }

  static Map<String, Object> spec(Object... keyValue) {
    Map<String, Object> spec = new LinkedHashMap<>();
    for (int i = 0; i < keyValue.length; i += 2) {
      spec.put((String) keyValue[i], keyValue[i + 1]);
    }
    return spec;
  }

  @Test
  @DisplayName("every field of spec 2.4 from its CiliumNode source")
  void mapsEveryField() {
    GenericKubernetesResource ciliumNode = node("worker-1", Map.of("kubernetes.io/hostname", "worker-1",
        "topology.kubernetes.io/zone", "z1"), spec(
        "addresses", List.of(Map.of("type", "InternalIP", "ip", "172.18.0.2"),
            Map.of("type", "ExternalIP", "ip", "203.0.113.7"),
            Map.of("type", "CiliumInternalIP", "ip", "10.244.0.10"),
            Map.of("type", "InternalIP", "ip", "fc00:c111::2")),
        "ipam", Map.of("podCIDRs", List.of("10.244.0.0/24", "fd00:10:244::/64", "10.245.0.0/16"),
            "pools", Map.of("allocated", List.of(Map.of("pool", "extra", "cidrs", List.of("10.246.1.0/26", "fd00:10:246::/96"))))),
        "health", Map.of("ipv4", "10.244.0.134", "ipv6", "fd00:10:244::86"),
        "ingress", Map.of("ipv4", "10.244.0.200", "ipv6", "fd00:10:244::c8"),
        "encryption", Map.of("key", 3),
        "nodeidentity", 6L,
        "bootid", "570d3fd1-93db-4862-ba99-6a3c2c10c38f"));
    ciliumNode.getMetadata().setAnnotations(Map.of("network.cilium.io/wg-pub-key", "VRksPSP9ZpA=", "other", "x"));

    Conversion conversion = cluster3.convert(ciliumNode);

    assertThat(onlyEntry(conversion).key()).isEqualTo("cilium/cache/nodes/v1/cluster3/worker-1");
    CiliumNode node = decode(conversion);
    assertThat(node.name()).isEqualTo("worker-1");
    assertThat(node.cluster()).isEqualTo("cluster3");
    assertThat(node.clusterId()).isEqualTo(3);
    assertThat(node.source()).isEqualTo("custom-resource");
    assertThat(node.ipAddresses()).extracting(NodeAddress::type, address -> address.ip().toString()).containsExactly(
        tuple("InternalIP", "172.18.0.2"), tuple("ExternalIP", "203.0.113.7"),
        tuple("CiliumInternalIP", "10.244.0.10"), tuple("InternalIP", "fc00:c111::2"));
    assertThat(node.ipv4AllocCidr()).hasToString("10.244.0.0/24");
    assertThat(node.ipv4SecondaryAllocCidrs()).extracting(IpNet::toString).containsExactly("10.245.0.0/16", "10.246.1.0/26");
    assertThat(node.ipv6AllocCidr()).hasToString("fd00:10:244::/64");
    assertThat(node.ipv6SecondaryAllocCidrs()).extracting(IpNet::toString).containsExactly("fd00:10:246::/96");
    assertThat(node.ipv4HealthIp()).hasToString("10.244.0.134");
    assertThat(node.ipv6HealthIp()).hasToString("fd00:10:244::86");
    assertThat(node.ipv4IngressIp()).hasToString("10.244.0.200");
    assertThat(node.ipv6IngressIp()).hasToString("fd00:10:244::c8");
    assertThat(node.encryptionKey()).isEqualTo(3);
    assertThat(node.nodeIdentity()).isEqualTo(6);
    assertThat(node.labels()).containsExactly(Map.entry("kubernetes.io/hostname", "worker-1"),
        Map.entry("topology.kubernetes.io/zone", "z1"));
    assertThat(node.annotations()).containsOnly(Map.entry("network.cilium.io/wg-pub-key", "VRksPSP9ZpA="),
        Map.entry("other", "x"));
    assertThat(node.wireguardPubKey()).isEqualTo("VRksPSP9ZpA=");
    assertThat(node.bootId()).isEqualTo("570d3fd1-93db-4862-ba99-6a3c2c10c38f");
  }

  @Test
  @DisplayName("the cluster and ID come from the member, never from the object")
  void clusterFromMember() {
    GenericKubernetesResource ciliumNode = node("n1", Map.of("io.cilium.k8s.policy.cluster", "cluster9"), spec());

    CiliumNode node = decode(new NodeConverter(MemberCluster.of("c7", 7, CLUSTER3.maxConnectedClusters()))
        .convert(ciliumNode));

    assertThat(node.cluster()).isEqualTo("c7");
    assertThat(node.clusterId()).isEqualTo(7);
  }

  @Test
  @DisplayName("WireGuard key from the old alias annotation; the current name wins when both are set")
  void wireguardAlias() {
    GenericKubernetesResource aliasOnly = node("n1", null, spec());
    aliasOnly.getMetadata().setAnnotations(Map.of("io.cilium.network.wg-pub-key", "old="));
    GenericKubernetesResource both = node("n2", null, spec());
    both.getMetadata().setAnnotations(Map.of("io.cilium.network.wg-pub-key", "old=", "network.cilium.io/wg-pub-key", "new="));

    assertThat(decode(cluster3.convert(aliasOnly)).wireguardPubKey()).isEqualTo("old=");
    assertThat(decode(cluster3.convert(both)).wireguardPubKey()).isEqualTo("new=");
  }

  @Test
  @DisplayName("a bare CiliumNode: nulls and empty strings exactly where Cilium writes them")
  void bareNode() {
    assertThat(onlyEntry(cluster3.convert(node("bare", null, null))).valueAsString()).isEqualTo(
        "{\"Name\":\"bare\",\"Cluster\":\"cluster3\",\"IPAddresses\":null,\"IPv4AllocCIDR\":null,"
            + "\"IPv4SecondaryAllocCIDRs\":null,\"IPv6AllocCIDR\":null,\"IPv6SecondaryAllocCIDRs\":null,"
            + "\"IPv4HealthIP\":\"\",\"IPv6HealthIP\":\"\",\"IPv4IngressIP\":\"\",\"IPv6IngressIP\":\"\","
            + "\"ClusterID\":3,\"Source\":\"custom-resource\",\"EncryptionKey\":0,\"Labels\":null,\"Annotations\":null,"
            + "\"NodeIdentity\":0,\"WireguardPubKey\":\"\",\"BootID\":\"\"}");
  }

  @Test
  @DisplayName("a CiliumNode as simcluster seeds it")
  void simclusterNode() {
    CiliumNode node = decode(cluster3.convert(Fixtures.simclusterNode("cluster3", "cluster3-node-0", "172.30.3.1",
        "10.3.0.1", "10.3.0.0/24", "10.3.0.2")));

    assertThat(node.name()).isEqualTo("cluster3-node-0");
    assertThat(node.ipAddresses()).extracting(NodeAddress::type).containsExactly("InternalIP", "CiliumInternalIP");
    assertThat(node.ipv4AllocCidr()).hasToString("10.3.0.0/24");
    assertThat(node.ipv4HealthIp()).hasToString("10.3.0.2");
    assertThat(node.labels()).containsOnlyKeys("kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch");
    assertThat(node.bootId()).hasSize(36);
  }

  @Nested
  @DisplayName("refused (Cilium would silently drop the value)")
  class Refused {

    @Test
    @DisplayName("unparsable address, pod CIDR, pool CIDR, health and ingress IPs: all named at once")
    void unparsableValues() {
      GenericKubernetesResource ciliumNode = node("n1", null, spec(
          "addresses", List.of(Map.of("type", "InternalIP", "ip", "172.18.0.256"), Map.of("type", "InternalIP")),
          "ipam", Map.of("podCIDRs", List.of("10.244.0.0/33", "10.244.0.0"),
              "pools", Map.of("allocated", List.of(Map.of("cidrs", List.of("bad/8"))))),
          "health", Map.of("ipv4", "fd00::1"),
          "ingress", Map.of("ipv6", "10.0.0.1")));

      assertThat(findings(cluster3.convert(ciliumNode))).extracting(Finding::field, Finding::value).containsExactly(
          tuple("spec.addresses[0].ip", "172.18.0.256"),
          tuple("spec.addresses[1].ip", ""),
          tuple("spec.ipam.podCIDRs[0]", "10.244.0.0/33"),
          tuple("spec.ipam.podCIDRs[1]", "10.244.0.0"),
          tuple("spec.ipam.pools.allocated[0].cidrs[0]", "bad/8"),
          tuple("spec.health.ipv4", "fd00::1"),
          tuple("spec.ingress.ipv6", "10.0.0.1"));
    }

    @Test
    @DisplayName("an encryption key outside uint8")
    void encryptionKey() {
      assertThat(findings(cluster3.convert(node("n1", null, spec("encryption", Map.of("key", -1))))))
          .singleElement().extracting(Finding::field).isEqualTo("spec.encryption.key");
    }

    @Test
    @DisplayName("a name that cannot be a key segment")
    void badName() {
      assertThat(findings(cluster3.convert(node("a/b", null, spec()))))
          .singleElement().extracting(Finding::field).isEqualTo("metadata.name");
      assertThat(findings(cluster3.convert(node(null, null, spec()))))
          .singleElement().extracting(Finding::field).isEqualTo("metadata.name");
    }

    @Test
    @DisplayName("a spec field of the wrong type")
    void wrongType() {
      assertThat(findings(cluster3.convert(node("n1", null, spec("addresses", "172.18.0.2")))))
          .singleElement().satisfies(finding -> {
            assertThat(finding.field()).isEqualTo("spec.addresses");
            assertThat(finding.rule()).isEqualTo("must be a list");
          });
    }
  }
}
