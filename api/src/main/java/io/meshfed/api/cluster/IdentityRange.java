package io.meshfed.api.cluster;

/**
 * An inclusive range of numeric security identities, e.g. the identities a cluster may allocate
 * (spec section 3.3).
 *
 * <p>Identities are Go {@code uint32} values; {@code long} keeps them unsigned in Java.
 *
 * @param first the smallest identity in the range
 * @param last  the largest identity in the range, not smaller than {@code first}
 */
public record IdentityRange(long first, long last) {

    /** Refuses empty or negative ranges. */
    public IdentityRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("invalid identity range " + first + ".." + last);
        }
    }

    /** True when {@code identity} lies inside the range, bounds included. */
    public boolean contains(long identity) {
        return identity >= first && identity <= last;
    }

    /** How many identities the range holds. */
    public long size() {
        return last - first + 1;
    }

    /** {@code first..last}, as in messages. */
    @Override
    public String toString() {
        return first + ".." + last;
    }
}
