package io.meshfed.api.kvstore;

import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_255;
import static io.meshfed.api.cluster.MaxConnectedClusters.MAX_511;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.CLUSTER3;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.ID3;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.echoService;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.endpoint74;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.ip;
import static io.meshfed.api.kvstore.KvstoreGoldenTest.testNode1;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.CiliumClusterConfig.Capabilities;
import io.meshfed.api.kvstore.CiliumClusterConfig.ServiceExports;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-object checks of spec 1.5 item 8, for cluster3 with ID 3 in a 255 mesh. */
class ClusterDataValidatorTest {

    static final ClusterDataValidator CLUSTER3_VALIDATOR = new ClusterDataValidator(CLUSTER3, ID3);

    private static Finding refused(ReadResult<?> result) {
        assertThat(result.isAccepted()).as("expected a refusal").isFalse();
        return result.refusal().orElseThrow();
    }

    @Nested
    @DisplayName("nodes")
    class Nodes {

        @Test
        @DisplayName("the golden node passes")
        void accepts() {
            assertThat(CLUSTER3_VALIDATOR.checkNode("test-node-1", testNode1()).value()).isEqualTo(testNode1());
        }

        @Test
        @DisplayName("a node of another cluster is refused")
        void wrongCluster() {
            CiliumNode node = CiliumNode.builder("test-node-1", ClusterName.parse("cluster4"), ID3)
                    .build();
            Finding finding = refused(CLUSTER3_VALIDATOR.checkNode("test-node-1", node));
            assertThat(finding.field()).isEqualTo("Cluster");
            assertThat(finding.message()).isEqualTo("Cluster: \"cluster4\" must be \"cluster3\", the cluster in the key");
        }

        @Test
        @DisplayName("a node whose name differs from its key is refused")
        void wrongName() {
            assertThat(refused(CLUSTER3_VALIDATOR.checkNode("test-node-2", testNode1())).field()).isEqualTo("Name");
        }

        @Test
        @DisplayName("a node with another cluster ID is refused")
        void wrongClusterId() {
            CiliumNode node = CiliumNode.builder("n", CLUSTER3, ClusterId.of(4, MAX_255)).build();
            Finding finding = refused(CLUSTER3_VALIDATOR.checkNode("n", node));
            assertThat(finding.field()).isEqualTo("ClusterID");
            assertThat(finding.rule()).isEqualTo("must be 3, the ID of cluster cluster3");
        }
    }

    @Nested
    @DisplayName("services")
    class Services {

        @Test
        @DisplayName("the golden service passes")
        void accepts() {
            assertThat(CLUSTER3_VALIDATOR.checkService("ns-alpha/echo-service", echoService()).isAccepted()).isTrue();
        }

        @Test
        @DisplayName("a service of another cluster is refused")
        void wrongCluster() {
            ClusterService service = copy(echoService(), "cluster4", "ns-alpha", "echo-service", 3, Map.of());
            assertThat(refused(CLUSTER3_VALIDATOR.checkService("ns-alpha/echo-service", service)).field())
                    .isEqualTo("cluster");
        }

        @Test
        @DisplayName("a service whose namespace/name differs from its key is refused")
        void wrongName() {
            Finding finding = refused(CLUSTER3_VALIDATOR.checkService("ns-alpha/other", echoService()));
            assertThat(finding.field()).isEqualTo("namespace/name");
            assertThat(finding.value()).isEqualTo("ns-alpha/echo-service");
        }

        @Test
        @DisplayName("a service with another cluster ID is refused")
        void wrongClusterId() {
            ClusterService service = copy(echoService(), "cluster3", "ns-alpha", "echo-service", 7, Map.of());
            assertThat(refused(CLUSTER3_VALIDATOR.checkService("ns-alpha/echo-service", service)).field())
                    .isEqualTo("clusterID");
        }

        @Test
        @DisplayName("empty cluster, namespace or name is refused before anything else")
        void emptyParts() {
            assertThat(refused(CLUSTER3_VALIDATOR.checkService("/", copy(echoService(), "", "", "", 3, Map.of()))).field())
                    .isEqualTo("cluster");
            assertThat(refused(CLUSTER3_VALIDATOR.checkService("/x", copy(echoService(), "cluster3", "", "x", 3, Map.of())))
                    .field()).isEqualTo("namespace");
        }

        @Test
        @DisplayName("an unparsable frontend or backend IP is refused, naming the map entry")
        void unparsableIp() {
            ClusterService service = copy(echoService(), "cluster3", "ns-alpha", "echo-service", 3,
                    Map.of("10.244.1.300", PortConfiguration.of("http", L4Addr.tcp(80))));
            Finding finding = refused(CLUSTER3_VALIDATOR.checkService("ns-alpha/echo-service", service));
            assertThat(finding.field()).isEqualTo("backends[\"10.244.1.300\"]");
            assertThat(finding.rule()).isEqualTo(IpAddress.RULE);
        }

        private ClusterService copy(ClusterService s, String cluster, String namespace, String name, long clusterId,
                Map<String, PortConfiguration> backends) {
            return new ClusterService(cluster, namespace, name, s.frontends(), backends.isEmpty() ? s.backends() : backends,
                    s.hostnames(), s.zones(), s.labels(), s.selector(), s.includeExternal(), s.shared(), clusterId);
        }
    }

    @Nested
    @DisplayName("identities")
    class Identities {

        final IdentityLabels golden = IdentityLabels.parse(GoldenFiles.text("identity.cluster3.196915.labels")).value();

        @Test
        @DisplayName("identity 196915 with the golden labels passes, so do both range ends")
        void accepts() {
            assertThat(CLUSTER3_VALIDATOR.checkIdentity(196_915, golden).isAccepted()).isTrue();
            assertThat(CLUSTER3_VALIDATOR.checkIdentity(196_608, golden).isAccepted()).isTrue();
            assertThat(CLUSTER3_VALIDATOR.checkIdentity(262_143, golden).isAccepted()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(longs = {196_607, 262_144, 2, 256, 65_536, 16_777_216})
        @DisplayName("identities outside cluster 3's range are refused")
        void outOfRange(long identity) {
            Finding finding = refused(CLUSTER3_VALIDATOR.checkIdentity(identity, golden));
            assertThat(finding.field()).isEqualTo("identity");
            assertThat(finding.rule()).startsWith("must be in 196608..262143, the range of cluster ID 3");
        }

        @Test
        @DisplayName("in a 511 mesh cluster 3 owns 98304..131071, so 196915 is refused")
        void mode511() {
            ClusterDataValidator validator511 = new ClusterDataValidator(CLUSTER3, ClusterId.of(3, MAX_511));
            assertThat(refused(validator511.checkIdentity(196_915, golden)).rule()).startsWith("must be in 98304..131071");
            assertThat(validator511.checkIdentity(98_304, golden).isAccepted()).isTrue();
        }

        @Test
        @DisplayName("labels without the cluster label are refused")
        void missingClusterLabel() {
            Finding finding = refused(CLUSTER3_VALIDATOR.checkIdentity(196_915, IdentityLabels.of(Label.k8s("app", "baz"))));
            assertThat(finding.field()).isEqualTo("labels");
            assertThat(finding.rule()).isEqualTo("must contain k8s:io.cilium.k8s.policy.cluster=cluster3; (spec 1.5 item 8)");
        }

        @Test
        @DisplayName("a cluster label naming another cluster or with another source is refused")
        void wrongClusterLabel() {
            IdentityLabels otherCluster = golden.withCluster(ClusterName.parse("cluster4"));
            assertThat(refused(CLUSTER3_VALIDATOR.checkIdentity(196_915, otherCluster)).rule())
                    .isEqualTo("must name this cluster: k8s:io.cilium.k8s.policy.cluster=cluster3");
            IdentityLabels otherSource = new IdentityLabels(List.of(Label.k8s("app", "baz"),
                    new Label("unspec", IdentityLabels.CLUSTER_LABEL_KEY, "cluster3")));
            assertThat(refused(CLUSTER3_VALIDATOR.checkIdentity(196_915, otherSource)).rule()).contains("source k8s");
        }
    }

    @Nested
    @DisplayName("ipcache entries")
    class Ipcache {

        @Test
        @DisplayName("the golden entry passes; reserved identities (< 256) pass too")
        void accepts() {
            assertThat(CLUSTER3_VALIDATOR.checkIpcacheEntry("10.244.2.74", endpoint74()).isAccepted()).isTrue();
            IPIdentityPair world = new IPIdentityPair(ip("10.0.0.0"), IpMask.ofPrefix(8, 32), null, 2, 0, "", "", "", "",
                    List.of());
            assertThat(CLUSTER3_VALIDATOR.checkIpcacheEntry("10.0.0.0/8", world).isAccepted()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(longs = {256, 65_535, 262_144, 199_475L + 65_536})
        @DisplayName("an identity outside the range and >= 256 is refused")
        void outOfRange(long identity) {
            IPIdentityPair pair = IPIdentityPair.endpoint(ip("10.244.2.74"), null, identity, 0, "", "", "", List.of());
            Finding finding = refused(CLUSTER3_VALIDATOR.checkIpcacheEntry("10.244.2.74", pair));
            assertThat(finding.field()).isEqualTo("ID");
            assertThat(finding.rule()).isEqualTo("must be below 256 or in 196608..262143, the range of cluster ID 3");
        }

        @Test
        @DisplayName("a value whose IP differs from the key is refused")
        void keyMismatch() {
            Finding finding = refused(CLUSTER3_VALIDATOR.checkIpcacheEntry("10.244.2.75", endpoint74()));
            assertThat(finding.message()).isEqualTo("IP: \"10.244.2.74\" must match the IP in the key (\"10.244.2.75\")");
            assertThat(refused(CLUSTER3_VALIDATOR.checkIpcacheEntry("10.244.2.74/32", endpoint74())).field()).isEqualTo("IP");
        }
    }

    @Nested
    @DisplayName("cluster config")
    class ClusterConfig {

        @Test
        @DisplayName("meshfed's own config passes")
        void accepts() {
            assertThat(CLUSTER3_VALIDATOR.checkClusterConfig(
                    CiliumClusterConfig.forMeshfedCache(ID3, ServiceExports.DISABLED)).isAccepted()).isTrue();
            assertThat(CLUSTER3_VALIDATOR.checkClusterConfig(
                    new CiliumClusterConfig(3, new Capabilities(true, false, 0, ServiceExports.NOT_SUPPORTED, "")))
                    .isAccepted()).as("0 reads as 255").isTrue();
        }

        @Test
        @DisplayName("another ID, another mesh mode or an unknown export mode is refused")
        void refuses() {
            assertThat(refused(CLUSTER3_VALIDATOR.checkClusterConfig(config(4, 255, ""))).field()).isEqualTo("id");
            assertThat(refused(CLUSTER3_VALIDATOR.checkClusterConfig(config(3, 511, ""))).field())
                    .isEqualTo("capabilities.maxConnectedClusters");
            assertThat(refused(CLUSTER3_VALIDATOR.checkClusterConfig(config(3, 300, ""))).field())
                    .isEqualTo("capabilities.maxConnectedClusters");
            assertThat(refused(CLUSTER3_VALIDATOR.checkClusterConfig(config(3, 255, "everything"))).field())
                    .isEqualTo("capabilities.endpointSlicesExportMode");
        }

        private CiliumClusterConfig config(long id, long max, String exportMode) {
            return new CiliumClusterConfig(id, new Capabilities(true, true, max, ServiceExports.DISABLED, exportMode));
        }
    }
}
