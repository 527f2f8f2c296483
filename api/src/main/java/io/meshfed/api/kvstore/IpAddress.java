package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address parsed and printed exactly like Go's {@code net.ParseIP} and
 * {@code net.IP.String()}, which is what Cilium uses for kvstore keys and JSON values.
 *
 * <p>Why not {@link java.net.InetAddress}: it resolves host names (I/O), accepts forms Go refuses
 * (IPv4 octets with leading zeros, zones) and prints IPv6 uncompressed, while Cilium compares a
 * key such as {@code cilium/cache/ip/v1/c/fd00:10:244::e2d6} with the value's IP <em>as text</em>
 * (spec 2.3: "reader checks value/key match").
 *
 * <p>Accepted text: four decimal octets without leading zeros ({@code 10.244.2.74}); IPv6 with
 * 1-4 hex digits per group, at most one {@code ::} that stands for at least one zero group, and
 * an optional dotted IPv4 tail. Refused: zones ({@code fe80::1%eth0}), host names, surrounding
 * blanks, brackets. An IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is the IPv4 address,
 * as in Go, and prints dotted.
 *
 * <p>Printed text: dotted quad for IPv4; RFC 5952 for IPv6 (lower case, no leading zeros, the
 * first longest run of two or more zero groups as {@code ::}).
 */
public final class IpAddress {

    /** The rule in refusals, shared by all IP fields. */
    static final String RULE = "must be an IPv4 or IPv6 address (Go net.ParseIP syntax, no zone)";

    private static final int IPV4_LENGTH = 4;
    private static final int IPV6_LENGTH = 16;
    private static final byte[] V4_IN_V6_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final byte[] bytes;
    private final String text;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
        this.text = bytes.length == IPV4_LENGTH ? formatIpv4(bytes) : formatIpv6(bytes);
    }

    /**
     * Parses Go-compatible address text.
     *
     * @return the address, or empty when Go's {@code net.ParseIP} would return nil
     */
    public static Optional<IpAddress> tryParse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                return parseIpv4(text, 0, text.length()).map(IpAddress::new);
            }
            if (c == ':') {
                return parseIpv6(text).map(IpAddress::ofSixteenBytes);
            }
        }
        return Optional.empty();
    }

    /**
     * Parses address text from our own input.
     *
     * @param field how the user knows the field, for the message
     * @throws InvalidValueException when the text is not an IP address Go would accept
     */
    public static IpAddress parse(String field, String text) {
        return tryParse(text).orElseThrow(() -> new InvalidValueException(field, text, RULE));
    }

    /** The same as {@link #tryParse} as a read result naming {@code field}. */
    public static ReadResult<IpAddress> read(String field, String text) {
        return tryParse(text).<ReadResult<IpAddress>>map(ReadResult::accepted)
                .orElseGet(() -> ReadResult.refused(field, text, RULE));
    }

    /** An address from 4 (IPv4) or 16 (IPv6) bytes. */
    public static IpAddress ofBytes(byte[] raw) {
        if (raw.length == IPV4_LENGTH) {
            return new IpAddress(raw.clone());
        }
        if (raw.length == IPV6_LENGTH) {
            return ofSixteenBytes(raw.clone());
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + raw.length);
    }

    private static IpAddress ofSixteenBytes(byte[] raw) {
        if (Arrays.equals(raw, 0, V4_IN_V6_PREFIX.length, V4_IN_V6_PREFIX, 0, V4_IN_V6_PREFIX.length)) {
            return new IpAddress(Arrays.copyOfRange(raw, V4_IN_V6_PREFIX.length, IPV6_LENGTH));
        }
        return new IpAddress(raw);
    }

    /** True for IPv4 (including addresses written IPv4-mapped). */
    public boolean isIpv4() {
        return bytes.length == IPV4_LENGTH;
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int bitLength() {
        return bytes.length * 8;
    }

    /** A copy of the 4 or 16 address bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Go's {@code net.IP.String()} of this address. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpAddress that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    // ---- parsing (mirrors Go net/netip: ParseAddr without zones) ----

    private static Optional<byte[]> parseIpv4(String s, int from, int to) {
        byte[] out = new byte[IPV4_LENGTH];
        int field = 0;
        int value = 0;
        int digits = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return Optional.empty(); // leading zero, refused by Go since 1.17
                }
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return Optional.empty();
                }
            } else if (c == '.') {
                if (digits == 0 || field == IPV4_LENGTH - 1) {
                    return Optional.empty();
                }
                out[field++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return Optional.empty();
            }
        }
        if (field != IPV4_LENGTH - 1 || digits == 0) {
            return Optional.empty();
        }
        out[field] = (byte) value;
        return Optional.of(out);
    }

    private static Optional<byte[]> parseIpv6(String in) {
        byte[] ip = new byte[IPV6_LENGTH];
        int ellipsis = -1;
        int pos = 0;
        int end = in.length();
        if (end >= 2 && in.charAt(0) == ':' && in.charAt(1) == ':') {
            ellipsis = 0;
            pos = 2;
            if (pos == end) {
                return Optional.of(ip);
            }
        }
        int i = 0;
        while (i < IPV6_LENGTH) {
            int off = 0;
            int acc = 0;
            while (pos + off < end) {
                int digit = hexDigit(in.charAt(pos + off));
                if (digit < 0) {
                    break;
                }
                if (off > 3) {
                    return Optional.empty();
                }
                acc = (acc << 4) + digit;
                off++;
            }
            if (off == 0) {
                return Optional.empty();
            }
            if (pos + off < end && in.charAt(pos + off) == '.') {
                if ((ellipsis < 0 && i != 12) || i + 4 > IPV6_LENGTH) {
                    return Optional.empty();
                }
                Optional<byte[]> v4 = parseIpv4(in, pos, end);
                if (v4.isEmpty()) {
                    return Optional.empty();
                }
                System.arraycopy(v4.get(), 0, ip, i, IPV4_LENGTH);
                pos = end;
                i += 4;
                break;
            }
            ip[i] = (byte) (acc >> 8);
            ip[i + 1] = (byte) acc;
            i += 2;
            pos += off;
            if (pos == end) {
                break;
            }
            if (in.charAt(pos) != ':' || pos + 1 == end) {
                return Optional.empty();
            }
            pos++;
            if (in.charAt(pos) == ':') {
                if (ellipsis >= 0) {
                    return Optional.empty();
                }
                ellipsis = i;
                pos++;
                if (pos == end) {
                    break;
                }
            }
        }
        if (pos != end) {
            return Optional.empty();
        }
        if (i < IPV6_LENGTH) {
            if (ellipsis < 0) {
                return Optional.empty();
            }
            int gap = IPV6_LENGTH - i;
            System.arraycopy(ip, ellipsis, ip, ellipsis + gap, i - ellipsis);
            Arrays.fill(ip, ellipsis, ellipsis + gap, (byte) 0);
        } else if (ellipsis >= 0) {
            return Optional.empty(); // "::" must stand for at least one zero group
        }
        return Optional.of(ip);
    }

    /** ASCII hex digits only: {@link Character#digit} would also accept non-ASCII digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    // ---- printing (mirrors Go net.IP.String / netip.Addr.String) ----

    private static String formatIpv4(byte[] b) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }

    private static String formatIpv6(byte[] b) {
        int[] groups = new int[8];
        for (int g = 0; g < 8; g++) {
            groups[g] = ((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff);
        }
        int zeroStart = -1;
        int zeroLength = 1; // only runs of two or more groups are compressed
        for (int g = 0; g < 8; g++) {
            int j = g;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - g > zeroLength) {
                zeroStart = g;
                zeroLength = j - g;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == zeroStart) {
                out.append("::");
                g += zeroLength - 1;
                continue;
            }
            if (g > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[g]));
        }
        return out.toString();
    }
}
