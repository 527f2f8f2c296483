package io.meshfed.api.kvstore;

import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Go {@code net.IPMask}: the raw mask bytes, which Go's {@code encoding/json} writes as a
 * standard base64 string because {@code IPMask} is a plain {@code []byte} (spec 2.3 and 2.4:
 * {@code "Mask": "////AA=="} is a /24).
 *
 * <p>Only prefix masks (ones, then zeros) of 4 or 16 bytes can be built or read here. Go accepts
 * any bytes, but Cilium then prints a non-prefix mask as {@code /0} in ipcache keys
 * ({@code PrefixString}), so such a value can never match its key: refusing it early is the
 * honest answer.
 */
public final class IpMask {

    private final byte[] bytes;
    private final int prefixLength;

    private IpMask(byte[] bytes, int prefixLength) {
        this.bytes = bytes;
        this.prefixLength = prefixLength;
    }

    /**
     * The mask of a /{@code ones} prefix in an address of {@code bits} bits (Go's
     * {@code net.CIDRMask}).
     *
     * @throws IllegalArgumentException unless bits is 32 or 128 and 0 &lt;= ones &lt;= bits
     */
    public static IpMask ofPrefix(int ones, int bits) {
        if ((bits != 32 && bits != 128) || ones < 0 || ones > bits) {
            throw new IllegalArgumentException("no /" + ones + " mask in " + bits + " bits");
        }
        byte[] raw = new byte[bits / 8];
        for (int i = 0; i < ones; i++) {
            raw[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return new IpMask(raw, ones);
    }

    /** A mask from raw bytes, or empty unless it is a 4- or 16-byte prefix mask. */
    public static Optional<IpMask> ofBytes(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            return Optional.empty();
        }
        OptionalInt ones = prefixLengthOf(raw);
        return ones.isPresent() ? Optional.of(new IpMask(raw.clone(), ones.getAsInt())) : Optional.empty();
    }

    /** Decodes the base64 text Go writes, or empty when it is not base64 or not a prefix mask. */
    public static Optional<IpMask> fromBase64(String text) {
        try {
            return ofBytes(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** Go's {@code Mask.Size()} ones count: leading one bits, or empty if the bits are not contiguous. */
    private static OptionalInt prefixLengthOf(byte[] raw) {
        int ones = 0;
        boolean zeroSeen = false;
        for (byte b : raw) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean one = ((b >>> bit) & 1) == 1;
                if (one && zeroSeen) {
                    return OptionalInt.empty();
                }
                if (one) {
                    ones++;
                } else {
                    zeroSeen = true;
                }
            }
        }
        return OptionalInt.of(ones);
    }

    /** The number of leading one bits, e.g. 24. */
    public int prefixLength() {
        return prefixLength;
    }

    /** 32 or 128. */
    public int bitLength() {
        return bytes.length * 8;
    }

    /** A copy of the mask bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The JSON form: standard base64 with padding, as Go encodes {@code []byte}. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code /24}-style text, for messages. */
    @Override
    public String toString() {
        return "/" + prefixLength + " (" + bitLength() + " bits)";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpMask that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
