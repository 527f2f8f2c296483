package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CacheKeysTest {

    static final ClusterName C3 = ClusterName.parse("cluster3");

    @Nested
    @DisplayName("builders")
    class Builders {

        @Test
        @DisplayName("build the KVStoreMesh cache keys of spec 1.3")
        void cacheKeys() {
            assertThat(CacheKeys.identity(C3, 196_915)).isEqualTo("cilium/cache/identities/v1/cluster3/id/196915");
            assertThat(CacheKeys.ip(C3, IpAddress.parse("ip", "10.244.2.74")))
                    .isEqualTo("cilium/cache/ip/v1/cluster3/10.244.2.74");
            assertThat(CacheKeys.ip(C3, IpAddress.parse("ip", "FD00:10:244:2:0:0:0:E024")))
                    .isEqualTo("cilium/cache/ip/v1/cluster3/fd00:10:244:2::e024");
            assertThat(CacheKeys.ip(C3, IpNet.parseCidr("cidr", "10.0.0.0/8")))
                    .isEqualTo("cilium/cache/ip/v1/cluster3/10.0.0.0/8");
            assertThat(CacheKeys.node(C3, "test-node-1")).isEqualTo("cilium/cache/nodes/v1/cluster3/test-node-1");
            assertThat(CacheKeys.service(C3, "ns-alpha", "echo-service"))
                    .isEqualTo("cilium/cache/services/v1/cluster3/ns-alpha/echo-service");
            assertThat(CacheKeys.serviceExport(C3, "default", "basic"))
                    .isEqualTo("cilium/cache/serviceexports/v1/cluster3/default/basic");
        }

        @Test
        @DisplayName("build the cluster config, canary and heartbeat keys")
        void controlKeys() {
            assertThat(CacheKeys.clusterConfig(C3)).isEqualTo("cilium/cluster-config/cluster3");
            assertThat(CacheKeys.syncedCanary(C3, CacheType.NODES)).isEqualTo("cilium/synced/cluster3/cilium/cache/nodes/v1");
            assertThat(CacheKeys.syncedCanary(C3, CacheType.SERVICES))
                    .isEqualTo("cilium/synced/cluster3/cilium/cache/services/v1");
            assertThat(CacheKeys.syncedCanary(C3, CacheType.IDENTITIES))
                    .isEqualTo("cilium/synced/cluster3/cilium/cache/identities/v1");
            assertThat(CacheKeys.syncedCanary(C3, CacheType.IP)).isEqualTo("cilium/synced/cluster3/cilium/cache/ip/v1");
            assertThat(CacheKeys.heartbeat()).isEqualTo("cilium/.heartbeat");
        }

        @Test
        @DisplayName("range prefixes end with '/' so cluster c never matches cluster c1")
        void prefixesAreExact() {
            ClusterName c = ClusterName.parse("c");
            assertThat(CacheType.NODES.prefix(c)).isEqualTo("cilium/cache/nodes/v1/c/");
            assertThat("cilium/cache/nodes/v1/c1/node").doesNotStartWith(CacheType.NODES.prefix(c));
            assertThat(CacheKeys.syncedPrefix(c)).isEqualTo("cilium/synced/c/");
            assertThat(CacheKeys.clusterDataPrefixes(C3)).containsExactly(
                    "cilium/synced/cluster3/",
                    "cilium/cache/nodes/v1/cluster3/",
                    "cilium/cache/services/v1/cluster3/",
                    "cilium/cache/serviceexports/v1/cluster3/",
                    "cilium/cache/identities/v1/cluster3/",
                    "cilium/cache/ip/v1/cluster3/");
        }

        @ParameterizedTest
        @CsvSource({
            "'cilium//cache/,ip,v1/', cilium/cache/ip/v1",
            "'a/,/b//,c/', a/b/c",
            "'cilium,synced/', cilium/synced",
            "'a', a"})
        @DisplayName("joinKey collapses duplicate slashes and trims the trailing one")
        void joinKey(String parts, String expected) {
            assertThat(CacheKeys.joinKey(parts.split(","))).isEqualTo(expected);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "a/b", ".", ".."})
        @DisplayName("node names that would change the key's shape are refused")
        void refusesBadSegments(String nodeName) {
            assertThatThrownBy(() -> CacheKeys.node(C3, nodeName))
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessageStartingWith("node name");
            assertThatThrownBy(() -> CacheKeys.service(C3, nodeName, "svc"))
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessageStartingWith("namespace");
        }

        @ParameterizedTest
        @ValueSource(longs = {0, -1, 4_294_967_296L})
        @DisplayName("identity keys need a uint32 identity above 0")
        void refusesBadIdentity(long identity) {
            assertThatThrownBy(() -> CacheKeys.identity(C3, identity)).isInstanceOf(InvalidValueException.class);
        }
    }

    @Nested
    @DisplayName("parse")
    class Parse {

        @Test
        @DisplayName("every built key parses back into type, cluster and name")
        void roundTrips() {
            assertParsed(CacheKeys.identity(C3, 196_915), CacheType.IDENTITIES, "id/196915");
            assertParsed(CacheKeys.ip(C3, IpAddress.parse("ip", "10.244.2.74")), CacheType.IP, "10.244.2.74");
            assertParsed("cilium/cache/ip/v1/cluster3/fd00::/64", CacheType.IP, "fd00::/64");
            assertParsed(CacheKeys.node(C3, "test-node-1"), CacheType.NODES, "test-node-1");
            assertParsed(CacheKeys.service(C3, "ns-alpha", "echo-service"), CacheType.SERVICES, "ns-alpha/echo-service");
            assertParsed(CacheKeys.serviceExport(C3, "ns", "s"), CacheType.SERVICE_EXPORTS, "ns/s");
        }

        @Test
        @DisplayName("parsed keys expose their identity, namespace and service name")
        void accessors() {
            CacheKey identity = CacheKeys.parse("cilium/cache/identities/v1/cluster3/id/196915").value();
            assertThat(identity.identity()).isEqualTo(196_915);
            CacheKey service = CacheKeys.parse("cilium/cache/services/v1/cluster3/ns-alpha/echo-service").value();
            assertThat(service.namespace()).isEqualTo("ns-alpha");
            assertThat(service.serviceName()).isEqualTo("echo-service");
            assertThat(service.key()).isEqualTo("cilium/cache/services/v1/cluster3/ns-alpha/echo-service");
            assertThatThrownBy(identity::namespace).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(service::identity).isInstanceOf(IllegalStateException.class);
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
            "cilium/state/ip/v1/default/10.0.0.1              | must start with cilium/cache/",
            "cilium/cluster-config/cluster3                   | must start with cilium/cache/",
            "foo                                              | must start with cilium/cache/",
            "cilium/cache/foo/v1/cluster3/x                   | unknown cache type \"foo\"",
            "cilium/cache/ip/v2/cluster3/10.0.0.1             | layout version v1",
            "cilium/cache/ip/v1/Prod_1/10.0.0.1               | invalid cluster segment",
            "cilium/cache/ip/v1/default/10.0.0.1              | invalid cluster segment",
            "cilium/cache/ip/v1/cluster3                      | must have the form",
            "cilium/cache/nodes/v1/cluster3/a/b               | node name must be one segment",
            "cilium/cache/nodes/v1/cluster3//x                | empty segments",
            "cilium/cache/nodes/v1/cluster3/x/                | empty segments",
            "cilium/cache/nodes/v1/cluster3/..                | . or ..",
            "cilium/cache/services/v1/cluster3/ns             | <namespace>/<name>",
            "cilium/cache/services/v1/cluster3/ns/a/b         | <namespace>/<name>",
            "cilium/cache/identities/v1/cluster3/id/0196915   | without leading zeros",
            "cilium/cache/identities/v1/cluster3/id/abc       | without leading zeros",
            "cilium/cache/identities/v1/cluster3/id/0         | between 1 and 4294967295",
            "cilium/cache/identities/v1/cluster3/id/4294967296 | between 1 and 4294967295",
            "cilium/cache/identities/v1/cluster3/value/x      | id/<numeric identity>",
            "cilium/cache/ip/v1/cluster3/FD00::1              | spell the IP as Go does (fd00::1)",
            "cilium/cache/ip/v1/cluster3/10.0.0.01            | IP address or IP/prefix-length",
            "cilium/cache/ip/v1/cluster3/10.0.0.0/33          | prefix length must be 0..32",
            "cilium/cache/ip/v1/cluster3/10.0.0.0/08          | prefix length",
            "cilium/cache/ip/v1/cluster3/host.example         | IP address or IP/prefix-length"})
        @DisplayName("foreign and malformed keys are refused with a reason")
        void refuses(String key, String reason) {
            ReadResult<CacheKey> result = CacheKeys.parse(key);
            assertThat(result.isAccepted()).isFalse();
            assertThat(result.refusal()).hasValueSatisfying(finding -> {
                assertThat(finding.field()).isEqualTo("key");
                assertThat(finding.value()).isEqualTo(key);
                assertThat(finding.rule()).contains(reason);
            });
        }

        @Test
        @DisplayName("a CacheKey built by hand must have the shape of its type too")
        void constructorChecksShape() {
            assertThatThrownBy(() -> new CacheKey(CacheType.IDENTITIES, C3, "196915"))
                    .isInstanceOf(InvalidValueException.class)
                    .hasMessage("key: \"cilium/cache/identities/v1/cluster3/196915\" must end with id/<numeric identity>");
            assertThatThrownBy(() -> new CacheKey(CacheType.NODES, C3, "a/b")).isInstanceOf(InvalidValueException.class);
            assertThatThrownBy(() -> new CacheKey(CacheType.IP, C3, "")).isInstanceOf(InvalidValueException.class);
            assertThat(new CacheKey(CacheType.IP, C3, "10.0.0.0/8").key()).isEqualTo("cilium/cache/ip/v1/cluster3/10.0.0.0/8");
        }

        @Test
        @DisplayName("null and empty keys are refused, not thrown")
        void refusesNothing() {
            assertThat(CacheKeys.parse(null).isAccepted()).isFalse();
            assertThat(CacheKeys.parse("").refusal()).hasValueSatisfying(f -> assertThat(f.rule()).isEqualTo("must not be empty"));
        }

        private void assertParsed(String key, CacheType type, String name) {
            CacheKey parsed = CacheKeys.parse(key).value();
            assertThat(parsed.type()).isEqualTo(type);
            assertThat(parsed.cluster()).isEqualTo(C3);
            assertThat(parsed.name()).isEqualTo(name);
            assertThat(parsed.key()).isEqualTo(key);
        }
    }
}
