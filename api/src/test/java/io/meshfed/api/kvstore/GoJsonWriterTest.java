package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Strings are escaped exactly as Go's json.Marshal escapes them, so bytes compare equal. */
class GoJsonWriterTest {

    private static String encodeString(String value) {
        return new String(GoJsonWriter.write(out -> out.string(value)), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("HTML characters and U+2028/U+2029 are escaped with lower-case \\u sequences")
    void htmlSafe() {
        assertThat(encodeString("<a&b>")).isEqualTo("\"\\u003ca\\u0026b\\u003e\"");
        assertThat(encodeString("x\u2028y\u2029")).isEqualTo("\"x\\u2028y\\u2029\"");
    }

    @Test
    @DisplayName("controls use Go's short forms where it has them, lower-case hex otherwise")
    void controls() {
        assertThat(encodeString("\b\f\n\r\t")).isEqualTo("\"\\b\\f\\n\\r\\t\"");
        assertThat(encodeString("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
        assertThat(encodeString("\"\\")).isEqualTo("\"\\\"\\\\\"");
    }

    @Test
    @DisplayName("DEL, non-ASCII and emoji are written as raw UTF-8")
    void rawUtf8() {
        String text = "\u007f é \uD83D\uDE00 /";
        assertThat(GoJsonWriter.write(out -> out.string(text)))
                .isEqualTo(("\"" + text + "\"").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("a lone surrogate becomes U+FFFD, as Go does with invalid UTF-8")
    void loneSurrogate() {
        assertThat(encodeString("a\uD800b")).isEqualTo("\"a\uFFFDb\"");
        assertThat(encodeString("\uDC00")).isEqualTo("\"\uFFFD\"");
    }

    @Test
    @DisplayName("map keys are escaped too and sorted in Go byte order")
    void keys() {
        ClusterService service = ClusterService.exportedBy(KvstoreGoldenTest.CLUSTER3, KvstoreGoldenTest.ID3, "ns", "s")
                .labels(Map.of("\uD83D\uDE00", "1", "\uFF21", "2", "<k>", "v&"))
                .build();
        String json = new String(service.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"labels\":{\"\\u003ck\\u003e\":\"v\\u0026\",\"\uFF21\":\"2\",\"\uD83D\uDE00\":\"1\"}");
        assertThat(ClusterService.fromJson(service.toJson()).value()).isEqualTo(service);
    }
}
