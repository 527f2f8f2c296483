package io.meshfed.api.kvstore;

import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A string escaped the way Go's {@code encoding/json} escapes it (see {@link GoJsonWriter}).
 * Jackson's generator writes the quotes and the structure and takes the escaped bytes from here.
 *
 * <p>Why not Jackson's {@code CharacterEscapes}: once custom escapes are set, Jackson writes
 * characters above U+FFFF as two <code>&#92;uXXXX</code> surrogate escapes, while Go writes raw UTF-8.
 */
final class GoQuotedString implements SerializableString {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String value;
    private final byte[] quotedUtf8;
    private final byte[] unquotedUtf8;

    /** Escapes {@code value}, which must not contain lone surrogates (see {@code GoJsonWriter.wellFormed}). */
    GoQuotedString(String value) {
        this.value = value;
        this.quotedUtf8 = escape(value).getBytes(StandardCharsets.UTF_8);
        this.unquotedUtf8 = value.getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(out, c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }

    @Override
    public String getValue() {
        return value;
    }

    @Override
    public int charLength() {
        return value.length();
    }

    @Override
    public char[] asQuotedChars() {
        return escape(value).toCharArray();
    }

    @Override
    public byte[] asUnquotedUTF8() {
        return unquotedUtf8.clone();
    }

    @Override
    public byte[] asQuotedUTF8() {
        return quotedUtf8.clone();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
        return append(quotedUtf8, buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
        return append(asQuotedChars(), buffer, offset);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
        return append(unquotedUtf8, buffer, offset);
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
        return append(value.toCharArray(), buffer, offset);
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
        out.write(quotedUtf8);
        return quotedUtf8.length;
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
        out.write(unquotedUtf8);
        return unquotedUtf8.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
        return put(quotedUtf8, buffer);
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
        return put(unquotedUtf8, buffer);
    }

    /** Copies {@code source} into {@code target} at {@code offset}; -1 when it does not fit (Jackson's contract). */
    private static int append(byte[] source, byte[] target, int offset) {
        if (offset + source.length > target.length) {
            return -1;
        }
        System.arraycopy(source, 0, target, offset, source.length);
        return source.length;
    }

    private static int append(char[] source, char[] target, int offset) {
        if (offset + source.length > target.length) {
            return -1;
        }
        System.arraycopy(source, 0, target, offset, source.length);
        return source.length;
    }

    private static int put(byte[] source, ByteBuffer target) {
        if (target.remaining() < source.length) {
            return -1;
        }
        target.put(source);
        return source.length;
    }

    @Override
    public String toString() {
        return value;
    }
}
