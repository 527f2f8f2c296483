package io.meshfed.api.kvstore;

import static io.meshfed.api.kvstore.ClusterDataValidatorTest.CLUSTER3_VALIDATOR;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The conformance reader: what a stock agent would accept from cluster3's cache, and why not. */
class CacheEntryReaderTest {

    private final CacheEntryReader reader = new CacheEntryReader(CLUSTER3_VALIDATOR);

    private static Finding refused(ReadResult<?> result) {
        assertThat(result.isAccepted()).as("expected a refusal").isFalse();
        return result.refusal().orElseThrow();
    }

    @Test
    @DisplayName("every golden value is accepted under its key, typed by its key")
    void acceptsGoldenEntries() {
        assertThat(reader.read("cilium/cache/nodes/v1/cluster3/test-node-1",
                GoldenFiles.bytes("node.cluster3.test-node-1.json")).value())
                .isInstanceOfSatisfying(CacheEntry.Node.class,
                        entry -> assertThat(entry.node()).isEqualTo(KvstoreGoldenTest.testNode1()));
        assertThat(reader.read("cilium/cache/services/v1/cluster3/ns-alpha/echo-service",
                GoldenFiles.bytes("cluster-service.cluster3.ns-alpha.echo-service.json")).value())
                .isInstanceOf(CacheEntry.Service.class);
        assertThat(reader.read("cilium/cache/identities/v1/cluster3/id/196915",
                GoldenFiles.bytes("identity.cluster3.196915.labels")).value())
                .isInstanceOfSatisfying(CacheEntry.Identity.class,
                        entry -> assertThat(entry.identity()).isEqualTo(196_915));
        assertThat(reader.read("cilium/cache/ip/v1/cluster3/10.244.2.74",
                GoldenFiles.bytes("ipcache.10.244.2.74.json")).value())
                .isInstanceOf(CacheEntry.Ipcache.class);
        assertThat(reader.readClusterConfig("cilium/cluster-config/cluster3",
                GoldenFiles.bytes("cluster-config.cluster3.cached.json")).isAccepted()).isTrue();
    }

    @Test
    @DisplayName("garbage JSON under a valid key is refused with a reason")
    void refusesGarbage() {
        Finding finding = refused(reader.read("cilium/cache/nodes/v1/cluster3/test-node-1",
                "{\"Name\": \"test-node-1\",".getBytes(StandardCharsets.UTF_8)));
        assertThat(finding.field()).isEqualTo("node");
        assertThat(finding.rule()).startsWith("must be valid JSON");
        assertThat(refused(reader.read("cilium/cache/nodes/v1/cluster3/x", null)).field()).isEqualTo("value");
    }

    @Test
    @DisplayName("entries of another cluster, foreign keys and service exports are refused")
    void refusesForeignKeys() {
        byte[] node = GoldenFiles.bytes("node.cluster3.test-node-1.json");
        assertThat(refused(reader.read("cilium/cache/nodes/v1/cluster4/test-node-1", node)).rule())
                .isEqualTo("must belong to cluster \"cluster3\", not \"cluster4\"");
        assertThat(refused(reader.read("cilium/state/nodes/v1/cluster3/test-node-1", node)).rule())
                .startsWith("must start with cilium/cache/");
        assertThat(refused(reader.read("cilium/cache/serviceexports/v1/cluster3/ns/s", node)).rule())
                .contains("serviceexports");
    }

    @Test
    @DisplayName("a valid value that breaks a per-object rule is refused by that rule")
    void refusesInvalidObjects() {
        assertThat(refused(reader.read("cilium/cache/nodes/v1/cluster3/test-node-2",
                GoldenFiles.bytes("node.cluster3.test-node-1.json"))).field()).isEqualTo("Name");
        assertThat(refused(reader.read("cilium/cache/identities/v1/cluster3/id/65536",
                GoldenFiles.bytes("identity.cluster3.196915.labels"))).field()).isEqualTo("identity");
        assertThat(refused(reader.read("cilium/cache/ip/v1/cluster3/10.244.2.75",
                GoldenFiles.bytes("ipcache.10.244.2.74.json"))).field()).isEqualTo("IP");
        assertThat(refused(reader.readClusterConfig("cilium/cluster-config/cluster4",
                GoldenFiles.bytes("cluster-config.cluster3.cached.json"))).field()).isEqualTo("key");
    }
}
