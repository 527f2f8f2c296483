package io.meshfed.api.kvstore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes JSON byte-for-byte like Go's {@code json.Marshal}, which Cilium uses for every kvstore
 * value (spec section 2): compact, fields in the order we write them, map keys in
 * {@link GoOrder}, and Go's string escaping.
 *
 * <p>Go escaping differs from Jackson's default, and the controller compares bytes to skip
 * unchanged writes, so it is reproduced exactly (Go 1.22+ {@code encoding/json}, HTML-safe as
 * {@code json.Marshal} is):
 * <ul>
 *   <li>{@code "} and {@code \} as {@code \"} and {@code \\};</li>
 *   <li>{@code \b \f \n \r \t} short; other controls below 0x20 as <code>&#92;u00xx</code> with
 *       lower-case hex;</li>
 *   <li>{@code < > &} as <code>&#92;u003c &#92;u003e &#92;u0026</code>; U+2028 and U+2029 as
 *       <code>&#92;u2028 &#92;u2029</code>;</li>
 *   <li>everything else, including DEL and non-ASCII, as raw UTF-8; a lone surrogate (which
 *       has no UTF-8 form) as U+FFFD, as Go does for invalid UTF-8.</li>
 * </ul>
 */
final class GoJsonWriter {

    private static final JsonFactory FACTORY = new JsonFactoryBuilder().build();

    /** The body of one JSON document. */
    @FunctionalInterface
    interface Body {
        /** Writes the document to {@code out}. */
        void write(GoJsonWriter out) throws IOException;
    }

    private final JsonGenerator generator;

    private GoJsonWriter(JsonGenerator generator) {
        this.generator = generator;
    }

    /** Runs {@code body} against a fresh compact generator and returns the UTF-8 bytes. */
    static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(bytes)) {
            body.write(new GoJsonWriter(generator));
        } catch (IOException impossible) {
            // Writing to memory cannot fail; Jackson only declares it.
            throw new UncheckedIOException(impossible);
        }
        return bytes.toByteArray();
    }

    void startObject() throws IOException {
        generator.writeStartObject();
    }

    void endObject() throws IOException {
        generator.writeEndObject();
    }

    void startArray() throws IOException {
        generator.writeStartArray();
    }

    void endArray() throws IOException {
        generator.writeEndArray();
    }

    void name(String name) throws IOException {
        generator.writeFieldName(new GoQuotedString(wellFormed(name)));
    }

    void string(String value) throws IOException {
        generator.writeString(new GoQuotedString(wellFormed(value)));
    }

    void number(long value) throws IOException {
        generator.writeNumber(value);
    }

    void bool(boolean value) throws IOException {
        generator.writeBoolean(value);
    }

    void nullValue() throws IOException {
        generator.writeNull();
    }

    void stringField(String name, String value) throws IOException {
        name(name);
        string(value);
    }

    void numberField(String name, long value) throws IOException {
        name(name);
        number(value);
    }

    void boolField(String name, boolean value) throws IOException {
        name(name);
        bool(value);
    }

    /** A Go {@code net.IP}: its text, or {@code ""} for a nil IP (Go's {@code MarshalText}). */
    void ipField(String name, IpAddress ip) throws IOException {
        stringField(name, ip == null ? "" : ip.toString());
    }

    /** A {@code map[string]string} whose iteration order is already Go's key order. */
    void stringMap(Map<String, String> map) throws IOException {
        startObject();
        for (Map.Entry<String, String> entry : map.entrySet()) {
            stringField(entry.getKey(), entry.getValue());
        }
        endObject();
    }

    /** Replaces lone surrogates by U+FFFD: they have no UTF-8 encoding. */
    private static String wellFormed(String text) {
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairStart = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairStart) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && fixed == null) {
                fixed = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (fixed != null) {
                fixed.append(lone ? '\uFFFD' : c);
            }
        }
        return fixed == null ? text : fixed.toString();
    }
}
