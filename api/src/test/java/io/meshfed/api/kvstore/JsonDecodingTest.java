package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.meshfed.api.cluster.Finding;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding follows Go's json.Unmarshal and turns every problem into a refusal naming the field. */
class JsonDecodingTest {

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static Finding refusalOf(ReadResult<?> result) {
        assertThat(result.isAccepted()).as("expected a refusal").isFalse();
        return result.refusal().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "{\"cluster\": }", "{} {}", "{}x", "[]", "\"text\"", "42", "null", "",
        "{'cluster':'c'}", "{\"a\":NaN}"})
    @DisplayName("garbage, a second document and non-objects are refused with a reason")
    void refusesGarbage(String json) {
        Finding finding = refusalOf(ClusterService.fromJson(utf8(json)));
        assertThat(finding.field()).isEqualTo("service");
        assertThat(finding.rule()).startsWith("must be");
        assertThat(refusalOf(IPIdentityPair.fromJson(utf8(json))).field()).isEqualTo("ipcache entry");
        assertThat(refusalOf(CiliumNode.fromJson(utf8(json))).field()).isEqualTo("node");
        assertThat(refusalOf(CiliumClusterConfig.fromJson(utf8(json))).field()).isEqualTo("cluster config");
    }

    @Test
    @DisplayName("a null value is refused, not thrown")
    void refusesNull() {
        assertThat(ClusterService.fromJson(null).isAccepted()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"clusterID\": \"3\"}                    | clusterID | must be an integer",
        "{\"clusterID\": 3.0}                      | clusterID | must be an integer",
        "{\"clusterID\": 1e2}                      | clusterID | must be an integer",
        "{\"clusterID\": -1}                       | clusterID | must be between 0 and 4294967295",
        "{\"clusterID\": 4294967296}               | clusterID | must be between 0 and 4294967295",
        "{\"clusterID\": 99999999999999999999999}  | clusterID | must be between 0 and 4294967295",
        "{\"cluster\": 3}                          | cluster   | must be a JSON string",
        "{\"shared\": \"true\"}                    | shared    | must be true or false",
        "{\"labels\": []}                          | labels    | must be a JSON object",
        "{\"labels\": {\"a\": 1}}                  | labels[\"a\"] | must be a JSON string",
        "{\"backends\": {\"10.0.0.1\": {\"http\": {\"Protocol\": \"TCP\", \"Port\": 70000}}}} | backends[\"10.0.0.1\"][\"http\"].Port | must be between 0 and 65535",
        "{\"backends\": {\"10.0.0.1\": {\"http\": {\"Protocol\": \"tcp\", \"Port\": 80}}}}    | backends[\"10.0.0.1\"][\"http\"].Protocol | must be one of TCP",
        "{\"backends\": {\"10.0.0.1\": {\"http\": null}}}                                 | backends[\"10.0.0.1\"][\"http\"] | must be a JSON object",
        "{\"zones\": {\"10.0.0.1\": {\"zone\": \"z\", \"forZones\": {}}}}                  | zones[\"10.0.0.1\"].forZones | must be a JSON array"})
    @DisplayName("service fields of the wrong type or range are refused by name")
    void refusesServiceFields(String json, String field, String rule) {
        Finding finding = refusalOf(ClusterService.fromJson(utf8(json)));
        assertThat(finding.field()).isEqualTo(field);
        assertThat(finding.rule()).startsWith(rule);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"IP\": \"10.0.0.256\"}                          | IP     | must be an IPv4 or IPv6 address",
        "{\"IP\": \"\"}                                    | IP     | must be set",
        "{\"HostIP\": \"10.0.0.1\"}                        | IP     | must be set",
        "{\"IP\": \"10.0.0.1\", \"HostIP\": \"node-1\"}    | HostIP | must be an IPv4 or IPv6 address",
        "{\"IP\": \"10.0.0.1\", \"Key\": 256}              | Key    | must be between 0 and 255",
        "{\"IP\": \"10.0.0.1\", \"ID\": -5}                | ID     | must be between 0 and 4294967295",
        "{\"IP\": \"10.0.0.1\", \"Mask\": \"/wD/AA==\"}    | Mask   | must be a base64 prefix mask",
        "{\"IP\": \"10.0.0.1\", \"Mask\": 24}              | Mask   | must be a JSON string",
        "{\"IP\": \"10.0.0.0\", \"Mask\": \"//////////8AAAAAAAAAAA==\"} | Mask | must have the length of IP",
        "{\"IP\": \"10.0.0.1\", \"NamedPorts\": [{\"Name\": \"h\", \"Port\": 65536}]} | NamedPorts[0].Port | must be between 0 and 65535"})
    @DisplayName("ipcache fields of the wrong type or range are refused by name")
    void refusesIpcacheFields(String json, String field, String rule) {
        Finding finding = refusalOf(IPIdentityPair.fromJson(utf8(json)));
        assertThat(finding.field()).isEqualTo(field);
        assertThat(finding.rule()).startsWith(rule);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"IPAddresses\": [{\"Type\": \"InternalIP\", \"IP\": \"x\"}]} | IPAddresses[0].IP | must be an IPv4",
        "{\"IPAddresses\": [null]}                                    | IPAddresses[0]    | must be a JSON object",
        "{\"IPv4AllocCIDR\": {\"IP\": \"10.0.0.0\"}}                  | IPv4AllocCIDR.Mask | must be set",
        "{\"IPv4AllocCIDR\": {\"IP\": \"10.0.0.0\", \"Mask\": \"//////////8AAAAAAAAAAA==\"}} | IPv4AllocCIDR.Mask | must have the length",
        "{\"IPv6SecondaryAllocCIDRs\": [{\"Mask\": \"////AA==\"}]}   | IPv6SecondaryAllocCIDRs[0].IP | must be set",
        "{\"EncryptionKey\": 300}                                     | EncryptionKey     | must be between 0 and 255",
        "{\"Labels\": {\"a\": null, \"b\": 2}}                        | Labels[\"b\"]     | must be a JSON string"})
    @DisplayName("node fields of the wrong type or range are refused by name")
    void refusesNodeFields(String json, String field, String rule) {
        Finding finding = refusalOf(CiliumNode.fromJson(utf8(json)));
        assertThat(finding.field()).isEqualTo(field);
        assertThat(finding.rule()).startsWith(rule);
    }

    @Test
    @DisplayName("cluster config fields of the wrong type are refused by name")
    void refusesClusterConfigFields() {
        assertThat(refusalOf(CiliumClusterConfig.fromJson(utf8("{\"id\": \"3\"}"))).field()).isEqualTo("id");
        assertThat(refusalOf(CiliumClusterConfig.fromJson(utf8("{\"capabilities\": {\"cached\": 1}}"))).field())
                .isEqualTo("capabilities.cached");
        assertThat(refusalOf(CiliumClusterConfig.fromJson(utf8("{\"capabilities\": []}"))).field())
                .isEqualTo("capabilities");
    }

    @Test
    @DisplayName("like Go: unknown fields are ignored, names match case-insensitively, the last match wins")
    void goTolerance() {
        IPIdentityPair pair = IPIdentityPair.fromJson(utf8(
                "{\"ip\": \"10.0.0.9\", \"IP\": \"10.0.0.1\", \"id\": 300, \"Future\": {\"x\": [1]}, \"K8sPodUID\": \"u\"}"))
                .value();
        assertThat(pair.ip()).hasToString("10.0.0.1");
        assertThat(pair.identity()).isEqualTo(300);
        assertThat(pair.hostIp()).isNull();
    }

    @Test
    @DisplayName("like Go: null and absent fields take their zero value")
    void nullIsZero() {
        ClusterService service = ClusterService.fromJson(utf8(
                "{\"cluster\": null, \"frontends\": null, \"shared\": null, \"clusterID\": null}")).value();
        assertThat(service.cluster()).isEmpty();
        assertThat(service.frontends()).isEmpty();
        assertThat(service.shared()).isFalse();
        assertThat(service.clusterId()).isZero();
        CiliumClusterConfig config = CiliumClusterConfig.fromJson(utf8("{}")).value();
        assertThat(config.id()).isZero();
        assertThat(config.capabilities().serviceExports()).isEqualTo(CiliumClusterConfig.ServiceExports.NOT_SUPPORTED);
    }

    @Test
    @DisplayName("random bytes never make a decoder or the key parser throw")
    void fuzzNeverThrows() {
        Random random = new Random(20_260_101L);
        List<Function<byte[], ReadResult<?>>> decoders = List.of(ClusterService::fromJson, IPIdentityPair::fromJson,
                CiliumNode::fromJson, CiliumClusterConfig::fromJson, IdentityLabels::fromBytes);
        byte[] seed = GoldenFiles.bytes("node.cluster3.test-node-1.json");
        for (int round = 0; round < 2_000; round++) {
            byte[] input = round % 2 == 0 ? randomBytes(random) : mutate(seed, random);
            for (Function<byte[], ReadResult<?>> decoder : decoders) {
                assertThatCode(() -> decoder.apply(input)).doesNotThrowAnyException();
            }
            String key = "cilium/cache/" + new String(input, 0, Math.min(input.length, 40), StandardCharsets.ISO_8859_1);
            assertThatCode(() -> CacheKeys.parse(key)).doesNotThrowAnyException();
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] copy = seed.clone();
        for (int i = 0; i < 3; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }
}
