package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3_IN_511;
import static io.meshfed.controller.sync.convert.Fixtures.dualStack;
import static io.meshfed.controller.sync.convert.Fixtures.endpoint;
import static io.meshfed.controller.sync.convert.Fixtures.endpointStatus;
import static io.meshfed.controller.sync.convert.Fixtures.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.IPIdentityPair;
import io.meshfed.api.kvstore.IpAddress;
import io.meshfed.api.kvstore.NamedPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointConverterTest {

  private final EndpointConverter cluster3 = new EndpointConverter(CLUSTER3);

  static List<KeyValue> entries(EndpointConversion conversion) {
    assertThat(conversion.conversion()).isInstanceOf(Conversion.Entries.class);
    return ((Conversion.Entries) conversion.conversion()).entries();
  }

  static List<Finding> findings(EndpointConversion conversion) {
    assertThat(conversion.conversion()).isInstanceOf(Conversion.Refused.class);
    assertThat(conversion.entriesByIp()).isEmpty();
    return ((Conversion.Refused) conversion.conversion()).findings();
  }

  static IPIdentityPair decode(KeyValue entry) {
    return IPIdentityPair.fromJson(entry.value()).value();
  }

  @Test
  @DisplayName("every field: one entry per address, HostIP, ID, Key, namespace, pod, service account, named ports")
  void mapsEveryField() {
    Map<String, Object> status = endpointStatus(199_472, "172.18.0.3", List.of(dualStack("10.244.1.79",
        "fd00:10:244:1::d643")));
    status.put("encryption", Map.of("key", 7));
    status.put("service-account", "web-sa");
    status.put("named-ports", List.of(Map.of("name", "http", "port", 8080, "protocol", "TCP"),
        Map.of("name", "dns", "port", 53, "protocol", "UDP")));

    EndpointConversion conversion = cluster3.convert(endpoint("foo", "cep-001", status));

    assertThat(conversion.endpoint()).isEqualTo(new EndpointRef("foo", "cep-001"));
    List<KeyValue> entries = entries(conversion);
    assertThat(entries).extracting(KeyValue::key).containsExactly(
        "cilium/cache/ip/v1/cluster3/10.244.1.79", "cilium/cache/ip/v1/cluster3/fd00:10:244:1::d643");
    IPIdentityPair v4 = decode(entries.get(0));
    assertThat(v4.ip()).hasToString("10.244.1.79");
    assertThat(v4.mask()).isNull();
    assertThat(v4.hostIp()).hasToString("172.18.0.3");
    assertThat(v4.identity()).isEqualTo(199_472);
    assertThat(v4.encryptionKey()).isEqualTo(7);
    assertThat(v4.metadata()).isEmpty();
    assertThat(v4.k8sNamespace()).isEqualTo("foo");
    assertThat(v4.k8sPodName()).isEqualTo("cep-001");
    assertThat(v4.k8sServiceAccount()).isEqualTo("web-sa");
    assertThat(v4.namedPorts()).containsExactlyInAnyOrder(new NamedPort("http", 8080, "TCP"), new NamedPort("dns", 53, "UDP"));
    assertThat(decode(entries.get(1))).isEqualTo(IPIdentityPair.endpoint(IpAddress.parse("ip", "fd00:10:244:1::d643"),
        v4.hostIp(), 199_472, 7, "foo", "cep-001", "web-sa", v4.namedPorts()));
    assertThat(conversion.entriesByIp()).containsOnlyKeys(IpAddress.parse("ip", "10.244.1.79"),
        IpAddress.parse("ip", "fd00:10:244:1::d643"));
  }

  @Test
  @DisplayName("K8sServiceAccount falls back to the identity's serviceaccount label (CRDs without service-account)")
  void serviceAccountFromIdentityLabel() {
    Map<String, Object> status = endpointStatus(199_472, "172.18.0.3", List.of(ipv4("10.244.1.79")));
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("id", 199_472);
    identity.put("labels", List.of("k8s:app=bar", "k8s:io.cilium.k8s.policy.serviceaccount=builder"));
    status.put("identity", identity);

    assertThat(decode(entries(cluster3.convert(endpoint("foo", "cep-001", status))).get(0)).k8sServiceAccount())
        .isEqualTo("builder");
  }

  @Test
  @DisplayName("absent encryption, node, service account and named ports: Key 0, HostIP \"\", fields omitted")
  void defaults() {
    KeyValue entry = entries(cluster3.convert(endpoint("foo", "cep-001",
        endpointStatus(199_472, null, List.of(ipv4("10.244.1.79")))))).get(0);

    assertThat(entry.valueAsString()).isEqualTo("{\"IP\":\"10.244.1.79\",\"Mask\":null,\"HostIP\":\"\",\"ID\":199472,"
        + "\"Key\":0,\"Metadata\":\"\",\"K8sNamespace\":\"foo\",\"K8sPodName\":\"cep-001\"}");
  }

  @Test
  @DisplayName("an address listed twice yields one entry; IPv6 keys are canonical (lower case, compressed)")
  void duplicatesAndCanonicalKeys() {
    EndpointConversion conversion = cluster3.convert(endpoint("foo", "cep-001", endpointStatus(199_472, "172.18.0.3",
        List.of(dualStack("10.244.1.79", "FD00:10:244:1:0:0:0:D643"), ipv4("10.244.1.79")))));

    assertThat(entries(conversion)).extracting(KeyValue::key).containsExactly(
        "cilium/cache/ip/v1/cluster3/10.244.1.79", "cilium/cache/ip/v1/cluster3/fd00:10:244:1::d643");
  }

  @Test
  @DisplayName("no address yet: no entries and no refusal, even without identity (Cilium publishes nothing)")
  void noAddresses() {
    assertThat(entries(cluster3.convert(endpoint("foo", "cep-001", endpointStatus(null, null, List.of()))))).isEmpty();
    assertThat(entries(cluster3.convert(endpoint("foo", "cep-001", null)))).isEmpty();
  }

  @ParameterizedTest(name = "identity {0}")
  @ValueSource(longs = {1, 2, 6, 102, 128, 255})
  @DisplayName("reserved and well-known identities below 256 are accepted from any cluster (spec 1.5 item 8)")
  void reservedIdentitiesAccepted(long identity) {
    KeyValue entry = entries(cluster3.convert(endpoint("kube-system", "coredns-1",
        endpointStatus(identity, "172.18.0.3", List.of(ipv4("10.244.1.2")))))).get(0);

    assertThat(decode(entry).identity()).isEqualTo(identity);
  }

  @Test
  @DisplayName("a CiliumEndpoint as simcluster seeds it converts to one entry")
  void simclusterEndpoint() {
    EndpointConversion conversion = cluster3.convert(Fixtures.simclusterEndpoint("cluster3", "ns-1", "app-1-0",
        196_609, "app-1", "10.3.0.17", "172.30.3.1", 1));

    assertThat(entries(conversion)).containsExactly(new KeyValue("cilium/cache/ip/v1/cluster3/10.3.0.17",
        ("{\"IP\":\"10.3.0.17\",\"Mask\":null,\"HostIP\":\"172.30.3.1\",\"ID\":196609,\"Key\":0,\"Metadata\":\"\","
            + "\"K8sNamespace\":\"ns-1\",\"K8sPodName\":\"app-1-0\",\"K8sServiceAccount\":\"default\","
            + "\"NamedPorts\":[{\"Name\":\"http\",\"Port\":8080,\"Protocol\":\"TCP\"}]}").getBytes()));
  }

  @Nested
  @DisplayName("refused")
  class Refused {

    @Test
    @DisplayName("no identity while the endpoint has addresses")
    void missingIdentity() {
      List<Finding> findings = findings(cluster3.convert(endpoint("foo", "cep-001",
          endpointStatus(null, "172.18.0.3", List.of(ipv4("10.244.1.79"))))));

      assertThat(findings).singleElement().satisfies(finding -> {
        assertThat(finding.field()).isEqualTo("status.identity.id");
        assertThat(finding.value()).isNull();
        assertThat(finding.rule()).startsWith("must be set");
      });
    }

    @Test
    @DisplayName("identity 0 (unknown) counts as missing")
    void identityZero() {
      assertThat(findings(cluster3.convert(endpoint("foo", "cep-001",
          endpointStatus(0, "172.18.0.3", List.of(ipv4("10.244.1.79")))))))
          .singleElement().extracting(Finding::value).isEqualTo("0");
    }

    @ParameterizedTest(name = "{0} in a 255 mesh is {1}")
    @CsvSource({"196607, refused", "196608, accepted", "262143, accepted", "262144, refused", "256, refused"})
    @DisplayName("identity outside the cluster's range and not below 256, 255 mesh")
    void rangeIn255Mesh(long identity, String expected) {
      assertRange(cluster3, identity, expected, "196608..262143");
    }

    @ParameterizedTest(name = "{0} in a 511 mesh is {1}")
    @CsvSource({"98303, refused", "98304, accepted", "131071, accepted", "131072, refused", "199475, refused",
        "255, accepted"})
    @DisplayName("identity outside the cluster's range and not below 256, 511 mesh")
    void rangeIn511Mesh(long identity, String expected) {
      assertRange(new EndpointConverter(CLUSTER3_IN_511), identity, expected, "98304..131071");
    }

    private void assertRange(EndpointConverter converter, long identity, String expected, String range) {
      EndpointConversion conversion = converter.convert(endpoint("foo", "cep-001",
          endpointStatus(identity, "172.18.0.3", List.of(ipv4("10.244.1.79")))));
      if (expected.equals("accepted")) {
        assertThat(entries(conversion)).hasSize(1);
        return;
      }
      assertThat(findings(conversion)).singleElement().satisfies(finding -> {
        assertThat(finding.field()).isEqualTo("status.identity.id");
        assertThat(finding.value()).isEqualTo(Long.toString(identity));
        assertThat(finding.rule()).contains("below 256").contains(range);
      });
    }

    @Test
    @DisplayName("every unparsable address is named, and nothing of the endpoint is written")
    void unparsableAddresses() {
      List<Finding> findings = findings(cluster3.convert(endpoint("foo", "cep-001", endpointStatus(199_472,
          "172.18.0.3", List.of(dualStack("10.244.1.300", "fd00::zz"), ipv4("10.244.1.79"), ipv4("010.1.1.1"))))));

      assertThat(findings).extracting(Finding::field, Finding::value).containsExactly(
          org.assertj.core.groups.Tuple.tuple("status.networking.addressing[0].ipv4", "10.244.1.300"),
          org.assertj.core.groups.Tuple.tuple("status.networking.addressing[0].ipv6", "fd00::zz"),
          org.assertj.core.groups.Tuple.tuple("status.networking.addressing[2].ipv4", "010.1.1.1"));
    }

    @Test
    @DisplayName("an unparsable node IP")
    void unparsableNodeIp() {
      assertThat(findings(cluster3.convert(endpoint("foo", "cep-001",
          endpointStatus(199_472, "node-1", List.of(ipv4("10.244.1.79")))))))
          .singleElement().extracting(Finding::field).isEqualTo("status.networking.node");
    }

    @Test
    @DisplayName("an encryption key or named port outside its Go type, a field of the wrong type")
    void outOfRangeAndWrongTypes() {
      Map<String, Object> badKey = endpointStatus(199_472, "172.18.0.3", List.of(ipv4("10.244.1.79")));
      badKey.put("encryption", Map.of("key", 256));
      assertThat(findings(cluster3.convert(endpoint("foo", "a", badKey))))
          .singleElement().extracting(Finding::field).isEqualTo("status.encryption.key");

      Map<String, Object> badPort = endpointStatus(199_472, "172.18.0.3", List.of(ipv4("10.244.1.79")));
      badPort.put("named-ports", List.of(Map.of("name", "http", "port", 70_000, "protocol", "TCP")));
      assertThat(findings(cluster3.convert(endpoint("foo", "b", badPort))))
          .singleElement().extracting(Finding::field).isEqualTo("status.named-ports[0].port");

      assertThat(findings(cluster3.convert(endpoint("foo", "c",
          endpointStatus("199472", "172.18.0.3", List.of(ipv4("10.244.1.79")))))))
          .singleElement().satisfies(finding -> {
            assertThat(finding.field()).isEqualTo("status.identity.id");
            assertThat(finding.rule()).isEqualTo("must be an integer");
          });
    }

    @Test
    @DisplayName("an endpoint without namespace")
    void noNamespace() {
      assertThat(findings(cluster3.convert(endpoint(null, "cep-001",
          endpointStatus(199_472, "172.18.0.3", List.of(ipv4("10.244.1.79")))))))
          .singleElement().extracting(Finding::field).isEqualTo("metadata.namespace");
    }
  }
}
