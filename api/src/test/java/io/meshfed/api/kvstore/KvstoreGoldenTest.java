package io.meshfed.api.kvstore;

import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_255;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CiliumClusterConfig.Capabilities;
import io.meshfed.api.kvstore.CiliumClusterConfig.ServiceExports;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Our records encode to the example values of spec section 2 (golden files), byte for byte in
 * Go's compact form, and the golden files decode back to the same records.
 */
class KvstoreGoldenTest {

    static final ClusterName CLUSTER3 = ClusterName.parse("cluster3");
    static final ClusterId ID3 = ClusterId.of(3, MAX_255);

    static IpAddress ip(String text) {
        return IpAddress.parse("ip", text);
    }

    static ClusterService echoService() {
        return ClusterService.exportedBy(CLUSTER3, ID3, "ns-alpha", "echo-service")
                .frontend(ip("10.96.0.10"), PortConfiguration.of("http", L4Addr.tcp(80)))
                .backend(ip("10.244.1.10"), PortConfiguration.of("http", L4Addr.tcp(8080)))
                .zone(ip("10.244.1.10"), BackendZone.sameZone("zone1"))
                .selector(Map.of("app", "echo"))
                .build();
    }

    static IPIdentityPair endpoint74() {
        return IPIdentityPair.endpoint(ip("10.244.2.74"), ip("172.18.0.2"), 199_475, 5, "bar", "cep-002",
                "default", List.of(new NamedPort("http", 8080, "TCP")));
    }

    static CiliumNode testNode1() {
        return CiliumNode.builder("test-node-1", CLUSTER3, ID3)
                .address(NodeAddress.INTERNAL_IP, ip("172.18.0.2"))
                .address(NodeAddress.CILIUM_INTERNAL_IP, ip("10.244.0.10"))
                .podCidr(IpNet.parseCidr("podCIDRs[0]", "10.244.0.0/24"))
                .healthIps(ip("10.244.0.134"), null)
                .labels(Map.of("kubernetes.io/hostname", "test-node-1"))
                .bootId("570d3fd1-93db-4862-ba99-6a3c2c10c38f")
                .build();
    }

    @Nested
    @DisplayName("spec 2.1 ClusterService cluster3/ns-alpha/echo-service")
    class Service {

        static final String GOLDEN = "cluster-service.cluster3.ns-alpha.echo-service.json";

        @Test
        @DisplayName("encodes to the golden JSON with Cilium's key names and order")
        void encodes() {
            byte[] json = echoService().toJson();
            GoldenFiles.assertSameJsonAndKeyOrder(json, GOLDEN);
            assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(GoldenFiles.compact(GOLDEN));
        }

        @Test
        @DisplayName("hostnames is omitted when empty and written when set")
        void hostnamesOmitEmpty() {
            assertThat(new String(echoService().toJson(), StandardCharsets.UTF_8)).doesNotContain("hostnames");
            ClusterService withHostname = ClusterService.exportedBy(CLUSTER3, ID3, "ns", "svc")
                    .backend(ip("10.0.0.1"), PortConfiguration.unnamed(L4Addr.udp(53)))
                    .hostname(ip("10.0.0.1"), "dns-0")
                    .build();
            assertThat(new String(withHostname.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"cluster\":\"cluster3\",\"namespace\":\"ns\",\"name\":\"svc\",\"frontends\":{},"
                            + "\"backends\":{\"10.0.0.1\":{\"\":{\"Protocol\":\"UDP\",\"Port\":53}}},"
                            + "\"hostnames\":{\"10.0.0.1\":\"dns-0\"},\"labels\":{},\"selector\":{},"
                            + "\"includeExternal\":true,\"shared\":true,\"clusterID\":3}");
        }

        @Test
        @DisplayName("decodes from the golden file and re-encodes to the same bytes")
        void roundTrips() {
            ClusterService decoded = ClusterService.fromJson(GoldenFiles.bytes(GOLDEN)).value();
            assertThat(decoded).isEqualTo(echoService());
            assertThat(decoded.toJson()).isEqualTo(echoService().toJson());
            assertThat(CacheKeys.service(CLUSTER3, decoded.namespace(), decoded.name()))
                    .isEqualTo("cilium/cache/services/v1/cluster3/ns-alpha/echo-service");
        }
    }

    @Nested
    @DisplayName("spec 2.2 identity 196915 label string")
    class Identity {

        static final String GOLDEN = "identity.cluster3.196915.labels";

        @Test
        @DisplayName("CiliumIdentity security labels format to the golden label string")
        void formats() {
            Map<String, String> securityLabels = new LinkedHashMap<>();
            securityLabels.put("k8s:io.kubernetes.pod.namespace", "bar");
            securityLabels.put("k8s:io.cilium.k8s.policy.cluster", "cluster3");
            securityLabels.put("k8s:app", "baz");
            IdentityLabels labels = IdentityLabels.fromSecurityLabels(securityLabels);
            assertThat(labels.format()).isEqualTo(GoldenFiles.text(GOLDEN));
            assertThat(labels.toBytes()).isEqualTo(GoldenFiles.bytes(GOLDEN));
            assertThat(CacheKeys.identity(CLUSTER3, 196_915)).isEqualTo("cilium/cache/identities/v1/cluster3/id/196915");
        }

        @Test
        @DisplayName("the golden string parses and formats back unchanged")
        void roundTrips() {
            IdentityLabels parsed = IdentityLabels.fromBytes(GoldenFiles.bytes(GOLDEN)).value();
            assertThat(parsed.labels()).extracting(Label::key)
                    .containsExactly("app", "io.cilium.k8s.policy.cluster", "io.kubernetes.pod.namespace");
            assertThat(parsed.clusterName()).contains("cluster3");
            assertThat(parsed.format()).isEqualTo(GoldenFiles.text(GOLDEN));
        }
    }

    @Nested
    @DisplayName("spec 2.3 IPIdentityPair 10.244.2.74")
    class Ipcache {

        static final String GOLDEN = "ipcache.10.244.2.74.json";

        @Test
        @DisplayName("encodes to the golden JSON, with \"Mask\": null as Go writes it")
        void encodes() {
            byte[] json = endpoint74().toJson();
            GoldenFiles.assertSameJsonAndKeyOrder(json, GOLDEN);
            assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(GoldenFiles.compact(GOLDEN));
            assertThat(endpoint74().keyName()).isEqualTo("10.244.2.74");
            assertThat(CacheKeys.ip(CLUSTER3, endpoint74())).isEqualTo("cilium/cache/ip/v1/cluster3/10.244.2.74");
        }

        @Test
        @DisplayName("decodes the golden file and the spec's literal example (no Mask) to the same record")
        void decodesBothForms() {
            IPIdentityPair golden = IPIdentityPair.fromJson(GoldenFiles.bytes(GOLDEN)).value();
            IPIdentityPair literal = IPIdentityPair.fromJson(GoldenFiles.bytes("spec-literal/" + GOLDEN)).value();
            assertThat(golden).isEqualTo(endpoint74()).isEqualTo(literal);
            assertThat(literal.toJson()).isEqualTo(endpoint74().toJson());
        }

        @Test
        @DisplayName("omitempty fields disappear, a CIDR entry writes its mask in base64")
        void omitEmptyAndCidr() {
            IPIdentityPair world = new IPIdentityPair(ip("10.0.0.0"), IpMask.ofPrefix(8, 32), null, 2, 0, "",
                    "", "", "", List.of());
            assertThat(new String(world.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"IP\":\"10.0.0.0\",\"Mask\":\"/wAAAA==\",\"HostIP\":\"\",\"ID\":2,\"Key\":0,\"Metadata\":\"\"}");
            assertThat(world.keyName()).isEqualTo("10.0.0.0/8");
        }

        @Test
        @DisplayName("named ports are sorted by name, as Cilium's writer sorts them")
        void namedPortsSorted() {
            IPIdentityPair pair = IPIdentityPair.endpoint(ip("fd00:10:244:2::e024"), ip("172.18.0.2"), 199_475, 0,
                    "bar", "cep-002", "", List.of(new NamedPort("metrics", 9090, "TCP"), new NamedPort("dns", 53, "UDP")));
            assertThat(pair.namedPorts()).extracting(NamedPort::name).containsExactly("dns", "metrics");
            assertThat(pair.keyName()).isEqualTo("fd00:10:244:2::e024");
        }
    }

    @Nested
    @DisplayName("spec 2.4 Node test-node-1")
    class Node {

        static final String GOLDEN = "node.cluster3.test-node-1.json";

        @Test
        @DisplayName("encodes to the golden JSON with Go field names in struct order")
        void encodes() {
            byte[] json = testNode1().toJson();
            GoldenFiles.assertSameJsonAndKeyOrder(json, GOLDEN);
            assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(GoldenFiles.compact(GOLDEN));
        }

        @Test
        @DisplayName("decodes the golden file and the spec's literal example (no NodeIdentity) to the same record")
        void decodesBothForms() {
            CiliumNode golden = CiliumNode.fromJson(GoldenFiles.bytes(GOLDEN)).value();
            CiliumNode literal = CiliumNode.fromJson(GoldenFiles.bytes("spec-literal/" + GOLDEN)).value();
            assertThat(golden).isEqualTo(testNode1()).isEqualTo(literal);
            assertThat(golden.toJson()).isEqualTo(testNode1().toJson());
        }

        @Test
        @DisplayName("an IPv6 pod CIDR is written as Cilium's fixture shows it, secondaries as a list")
        void ipv6AndSecondaryCidrs() {
            CiliumNode node = CiliumNode.builder("n", CLUSTER3, ID3)
                    .podCidr(IpNet.parseCidr("podCIDRs", "10.244.0.0/24"))
                    .podCidr(IpNet.parseCidr("podCIDRs", "fd00:10:244::/64"))
                    .podCidr(IpNet.parseCidr("podCIDRs", "10.245.0.0/16"))
                    .annotations(Map.of("network.cilium.io/wg-pub-key", "VRks="))
                    .wireguardPubKey("VRks=")
                    .build();
            String json = new String(node.toJson(), StandardCharsets.UTF_8);
            assertThat(json)
                    .contains("\"IPAddresses\":null")
                    .contains("\"IPv6AllocCIDR\":{\"IP\":\"fd00:10:244::\",\"Mask\":\"//////////8AAAAAAAAAAA==\"}")
                    .contains("\"IPv4SecondaryAllocCIDRs\":[{\"IP\":\"10.245.0.0\",\"Mask\":\"//8AAA==\"}]")
                    .contains("\"Labels\":null,\"Annotations\":{\"network.cilium.io/wg-pub-key\":\"VRks=\"}");
            assertThat(CiliumNode.fromJson(node.toJson()).value()).isEqualTo(node);
        }
    }

    @Nested
    @DisplayName("spec 2.5 CiliumClusterConfig of cluster3")
    class ClusterConfig {

        @Test
        @DisplayName("the clustermesh-apiserver variant encodes to exactly Go's bytes")
        void apiserverVariant() {
            CiliumClusterConfig config = new CiliumClusterConfig(3,
                    new Capabilities(true, false, 255, ServiceExports.DISABLED, ""));
            GoldenFiles.assertSameJsonAndKeyOrder(config.toJson(), "cluster-config.cluster3.json");
            assertThat(new String(config.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"id\":3,\"capabilities\":{\"syncedCanaries\":true,\"maxConnectedClusters\":255,"
                            + "\"serviceExportsEnabled\":false}}");
            assertThat(CiliumClusterConfig.fromJson(GoldenFiles.bytes("cluster-config.cluster3.json")).value())
                    .isEqualTo(config);
        }

        @Test
        @DisplayName("the cached variant is what meshfed writes for a member")
        void cachedVariant() {
            CiliumClusterConfig config = CiliumClusterConfig.forMeshfedCache(ID3, ServiceExports.DISABLED);
            GoldenFiles.assertSameJsonAndKeyOrder(config.toJson(), "cluster-config.cluster3.cached.json");
            assertThat(new String(config.toJson(), StandardCharsets.UTF_8))
                    .isEqualTo(GoldenFiles.compact("cluster-config.cluster3.cached.json"));
            assertThat(CiliumClusterConfig.fromJson(GoldenFiles.bytes("cluster-config.cluster3.cached.json")).value())
                    .isEqualTo(config);
            assertThat(CacheKeys.clusterConfig(CLUSTER3)).isEqualTo("cilium/cluster-config/cluster3");
        }

        @Test
        @DisplayName("serviceExportsEnabled is tri-state: absent, false, true")
        void serviceExportsTriState() {
            assertThat(encode(ServiceExports.NOT_SUPPORTED)).isEqualTo("{\"id\":3,\"capabilities\":{}}");
            assertThat(encode(ServiceExports.DISABLED)).endsWith("{\"serviceExportsEnabled\":false}}");
            assertThat(encode(ServiceExports.ENABLED)).endsWith("{\"serviceExportsEnabled\":true}}");
            for (ServiceExports state : ServiceExports.values()) {
                CiliumClusterConfig config = new CiliumClusterConfig(3, new Capabilities(false, false, 0, state, ""));
                assertThat(CiliumClusterConfig.fromJson(config.toJson()).value()).isEqualTo(config);
            }
        }

        @Test
        @DisplayName("id 0 and an empty export mode are omitted, a 1.20 export mode is written last")
        void omitEmpty() {
            CiliumClusterConfig config = new CiliumClusterConfig(0,
                    new Capabilities(true, false, 511, ServiceExports.DISABLED, "endpointslices-only"));
            assertThat(new String(config.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"capabilities\":{\"syncedCanaries\":true,\"maxConnectedClusters\":511,"
                            + "\"serviceExportsEnabled\":false,\"endpointSlicesExportMode\":\"endpointslices-only\"}}");
        }

        private String encode(ServiceExports state) {
            return new String(new CiliumClusterConfig(3, new Capabilities(false, false, 0, state, "")).toJson(),
                    StandardCharsets.UTF_8);
        }
    }

    @Nested
    @DisplayName("deterministic encoding")
    class Deterministic {

        @Test
        @DisplayName("the same object always gives the same bytes")
        void sameObjectSameBytes() {
            assertThat(echoService().toJson()).isEqualTo(echoService().toJson());
            assertThat(testNode1().toJson()).isEqualTo(testNode1().toJson());
            assertThat(endpoint74().toJson()).isEqualTo(endpoint74().toJson());
        }

        @Test
        @DisplayName("map insertion order does not leak into the bytes")
        void insertionOrderIrrelevant() {
            Map<String, String> forward = new LinkedHashMap<>();
            forward.put("a", "1");
            forward.put("b", "2");
            forward.put("c", "3");
            Map<String, String> backward = new LinkedHashMap<>();
            backward.put("c", "3");
            backward.put("b", "2");
            backward.put("a", "1");
            ClusterService one = ClusterService.exportedBy(CLUSTER3, ID3, "ns", "s").labels(forward).build();
            ClusterService two = ClusterService.exportedBy(CLUSTER3, ID3, "ns", "s").labels(backward).build();
            assertThat(one.toJson()).isEqualTo(two.toJson());
            assertThat(new String(one.toJson(), StandardCharsets.UTF_8)).contains("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}");
        }
    }
}
