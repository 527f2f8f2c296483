package io.meshfed.api.kvstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.api.cluster.Finding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads JSON the way Go's {@code json.Unmarshal} fills Cilium's structs, so our reader accepts
 * what a Cilium agent accepts and refuses, with a field name, what would make it fail:
 * <ul>
 *   <li>unknown fields are ignored; absent and {@code null} fields keep their zero value;</li>
 *   <li>a member matches a field name exactly or case-insensitively, the last match wins;</li>
 *   <li>numbers must be integer literals inside the Go type's range ({@code 3.0}, {@code "3"},
 *       {@code -1} for a {@code uint32} are refused), strings must be strings, and so on;</li>
 *   <li>anything that is not exactly one JSON document is refused.</li>
 * </ul>
 * Known stricter points (refused here, tolerated by Go): invalid UTF-8 (Go substitutes
 * U+FFFD). Nothing escapes as an unchecked exception: every problem is a {@link BadValue}.
 */
final class GoJsonReader {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private GoJsonReader() {
    }

    /** A value that cannot be read; carries the field and the rule, never escapes a codec. */
    static final class BadValue extends Exception {

        private static final long serialVersionUID = 1L;

        private final transient Finding finding;

        BadValue(String field, String value, String rule) {
            super(field + " " + rule, null, false, false);
            this.finding = new Finding(field, excerpt(value), rule);
        }

        /** Foreign values can be huge; messages quote at most the first 120 characters. */
        private static String excerpt(String value) {
            return value == null || value.length() <= 120 ? value : value.substring(0, 120) + "...";
        }

        Finding finding() {
            return finding;
        }
    }

    /** Parses one JSON document whose top level must be an object. */
    static Obj parseObject(byte[] json, String what) throws BadValue {
        if (json == null || json.length == 0) {
            throw new BadValue(what, null, "must be a JSON object (value is empty)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException malformed) {
            throw new BadValue(what, null, "must be valid JSON (" + malformed.getOriginalMessage() + ")");
        } catch (IOException | RuntimeException unreadable) {
            throw new BadValue(what, null, "must be valid JSON (" + unreadable.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadValue(what, null, "must be a JSON object");
        }
        return new Obj((ObjectNode) root, "");
    }

    /** Converts one JSON member into a Java value; may refuse it. */
    @FunctionalInterface
    interface Converter<T> {
        /** Converts {@code node} found at {@code path}. */
        T convert(JsonNode node, String path) throws BadValue;
    }

    /**
     * A JSON object with the path that led to it, so refusals can name nested fields such as
     * {@code IPv4AllocCIDR.Mask}.
     *
     * @param node the object
     * @param path its path; empty for the document itself
     */
    record Obj(ObjectNode node, String path) {

        /** Go's field lookup: the last member whose name equals {@code goName} ignoring case. */
        Optional<JsonNode> member(String goName) {
            JsonNode found = null;
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                if (entry.getKey().equalsIgnoreCase(goName)) {
                    found = entry.getValue();
                }
            }
            return found == null || found.isNull() ? Optional.empty() : Optional.of(found);
        }

        String pathOf(String goName) {
            return path.isEmpty() ? goName : path + "." + goName;
        }

        /** A Go {@code string}: absent or null is {@code ""}. */
        String string(String goName) throws BadValue {
            Optional<JsonNode> value = member(goName);
            return value.isEmpty() ? "" : asString(value.get(), pathOf(goName));
        }

        /** A Go {@code bool}: absent or null is {@code false}. */
        boolean bool(String goName) throws BadValue {
            Optional<JsonNode> value = member(goName);
            if (value.isEmpty()) {
                return false;
            }
            if (!value.get().isBoolean()) {
                throw new BadValue(pathOf(goName), value.get().toString(), "must be true or false");
            }
            return value.get().booleanValue();
        }

        /** A Go {@code *bool}: absent or null is empty. */
        Optional<Boolean> optionalBool(String goName) throws BadValue {
            return member(goName).isEmpty() ? Optional.empty() : Optional.of(bool(goName));
        }

        /** A Go unsigned integer no larger than {@code max}: absent or null is 0. */
        long unsigned(String goName, long max) throws BadValue {
            Optional<JsonNode> value = member(goName);
            return value.isEmpty() ? 0 : asUnsigned(value.get(), pathOf(goName), max);
        }

        /** A nested struct; absent or null is empty. */
        Optional<Obj> object(String goName) throws BadValue {
            Optional<JsonNode> value = member(goName);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(asObject(value.get(), pathOf(goName)));
        }

        /** A Go {@code net.IP}: absent, null or {@code ""} is nil (empty). */
        Optional<IpAddress> ip(String goName) throws BadValue {
            String text = string(goName);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(IpAddress.tryParse(text)
                    .orElseThrow(() -> new BadValue(pathOf(goName), text, IpAddress.RULE)));
        }

        /** A Go {@code net.IPMask} (base64): absent or null is nil (empty). */
        Optional<IpMask> mask(String goName) throws BadValue {
            Optional<JsonNode> value = member(goName);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            String text = asString(value.get(), pathOf(goName));
            return Optional.of(IpMask.fromBase64(text).orElseThrow(() -> new BadValue(pathOf(goName), text,
                    "must be a base64 prefix mask of 4 or 16 bytes (e.g. \"////AA==\" for /24)")));
        }

        /** A Go {@code map[string]T} member: absent or null is empty. */
        <T> Map<String, T> map(String goName, Converter<T> values) throws BadValue {
            Optional<JsonNode> value = member(goName);
            if (value.isEmpty()) {
                return new LinkedHashMap<>();
            }
            return asObject(value.get(), pathOf(goName)).entries(values);
        }

        /** This object read as a Go {@code map[string]T}; insertion order is the JSON order. */
        <T> Map<String, T> entries(Converter<T> values) throws BadValue {
            Map<String, T> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String entryPath = path + "[" + quoted(entry.getKey()) + "]";
                out.put(entry.getKey(), values.convert(entry.getValue(), entryPath));
            }
            return out;
        }

        /** A Go {@code map[string]string}. */
        Map<String, String> stringMap(String goName) throws BadValue {
            return map(goName, GoJsonReader::asString);
        }

        /** A Go slice: absent or null is empty. */
        <T> List<T> list(String goName, Converter<T> elements) throws BadValue {
            Optional<JsonNode> value = member(goName);
            List<T> out = new ArrayList<>();
            if (value.isEmpty()) {
                return out;
            }
            String listPath = pathOf(goName);
            if (!value.get().isArray()) {
                throw new BadValue(listPath, null, "must be a JSON array");
            }
            int index = 0;
            for (JsonNode element : value.get()) {
                out.add(elements.convert(element, listPath + "[" + index++ + "]"));
            }
            return out;
        }
    }

    /** A JSON string, or refusal. JSON {@code null} is Go's zero value {@code ""}. */
    static String asString(JsonNode node, String path) throws BadValue {
        if (node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw new BadValue(path, node.toString(), "must be a JSON string");
        }
        return node.textValue();
    }

    /** A JSON object, or refusal. */
    static Obj asObject(JsonNode node, String path) throws BadValue {
        if (!node.isObject()) {
            throw new BadValue(path, null, "must be a JSON object");
        }
        return new Obj((ObjectNode) node, path);
    }

    /** A Go unsigned integer up to {@code max}: an integer literal, or refusal. */
    static long asUnsigned(JsonNode node, String path, long max) throws BadValue {
        if (!node.isIntegralNumber()) {
            throw new BadValue(path, node.toString(), "must be an integer between 0 and " + max);
        }
        if (!node.canConvertToLong() || node.longValue() < 0 || node.longValue() > max) {
            throw new BadValue(path, node.asText(), "must be between 0 and " + max);
        }
        return node.longValue();
    }

    /** Reads one struct. */
    @FunctionalInterface
    interface StructReader<T> {
        /** Reads the struct {@code object}. */
        T read(Obj object) throws BadValue;
    }

    /** A converter for map values or slice elements that are structs ({@code null} is refused). */
    static <T> Converter<T> struct(StructReader<T> reader) {
        return (node, path) -> reader.read(asObject(node, path));
    }

    private static String quoted(String key) {
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
