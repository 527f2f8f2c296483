package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.Objects;
import java.util.Optional;

/**
 * A network prefix as Cilium's {@code cidr.CIDR} (an embedded Go {@code *net.IPNet}) is written
 * to JSON: {@code {"IP": "10.244.0.0", "Mask": "////AA=="}} (spec 2.4, node alloc CIDRs).
 *
 * @param ip   the network address (host bits cleared when built by {@link #parseCidr})
 * @param mask a prefix mask of the address family's length
 */
public record IpNet(IpAddress ip, IpMask mask) {

    /** Requires a mask as long as the address: 4 bytes for IPv4, 16 for IPv6. */
    public IpNet {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mask, "mask");
        if (mask.bitLength() != ip.bitLength()) {
            throw new IllegalArgumentException("mask " + mask + " does not fit address " + ip);
        }
    }

    /**
     * Parses {@code 10.244.0.0/24} like Go's {@code net.ParseCIDR} (host bits are cleared).
     *
     * @throws InvalidValueException naming {@code field} for anything else
     */
    public static IpNet parseCidr(String field, String text) {
        return tryParseCidr(text).orElseThrow(() -> new InvalidValueException(field, text,
                "must be a CIDR such as 10.244.0.0/24 or fd00:10:244::/64"));
    }

    /** Like {@link #parseCidr}, returning empty instead of throwing. */
    public static Optional<IpNet> tryParseCidr(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Optional<IpAddress> address = IpAddress.tryParse(text.substring(0, slash));
        String length = text.substring(slash + 1);
        if (address.isEmpty() || !length.matches("0|[1-9][0-9]{0,2}")) {
            return Optional.empty();
        }
        int ones = Integer.parseInt(length);
        int bits = address.get().bitLength();
        if (ones > bits) {
            return Optional.empty();
        }
        IpMask mask = IpMask.ofPrefix(ones, bits);
        return Optional.of(new IpNet(applyMask(address.get(), mask), mask));
    }

    private static IpAddress applyMask(IpAddress address, IpMask mask) {
        byte[] raw = address.bytes();
        byte[] m = mask.bytes();
        for (int i = 0; i < raw.length; i++) {
            raw[i] &= m[i];
        }
        return IpAddress.ofBytes(raw);
    }

    /** {@code 10.244.0.0/24}. */
    @Override
    public String toString() {
        return ip + "/" + mask.prefixLength();
    }
}
