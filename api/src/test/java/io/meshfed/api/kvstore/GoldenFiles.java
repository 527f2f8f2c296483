package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reads {@code src/test/resources/golden/} and compares JSON including key order. */
final class GoldenFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GoldenFiles() {
    }

    /** The bytes of {@code golden/<name>}. */
    static byte[] bytes(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of {@code golden/<name>}. */
    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /**
     * Asserts that {@code actual} is the same JSON as the golden file (semantically) and that
     * every object lists the same keys in the same order, which is what Go's encoder produces.
     */
    static void assertSameJsonAndKeyOrder(byte[] actual, String goldenName) {
        JsonNode expected = tree(bytes(goldenName));
        JsonNode got = tree(actual);
        assertThat(got).as("JSON of %s", goldenName).isEqualTo(expected);
        assertSameKeyOrder(got, expected, "$");
    }

    private static void assertSameKeyOrder(JsonNode actual, JsonNode expected, String path) {
        if (expected.isObject()) {
            assertThat(fieldNames(actual)).as("key order at %s", path).containsExactlyElementsOf(fieldNames(expected));
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                assertSameKeyOrder(actual.get(name), expected.get(name), path + "." + name);
            }
        } else if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) {
                assertSameKeyOrder(actual.get(i), expected.get(i), path + "[" + i + "]");
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Compact form of a golden file, as Go's json.Marshal would print it. */
    static String compact(String goldenName) {
        try {
            return MAPPER.writeValueAsString(tree(bytes(goldenName)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
