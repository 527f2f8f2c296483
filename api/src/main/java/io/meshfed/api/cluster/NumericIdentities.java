package io.meshfed.api.cluster;

/**
 * Facts about Cilium numeric security identities that do not depend on the mesh size
 * (spec section 3.3, Cilium {@code pkg/identity/numericidentity.go}).
 */
public final class NumericIdentities {

    /** Bits of an identity that travel on the wire; the cluster ID lives in the top of them. */
    public static final int BIT_LENGTH = 24;

    /**
     * First identity an allocator hands out. Everything below is reserved (0 unknown, 1 host,
     * 2 world, ..., 6 remote-node, 7 kube-apiserver, 8 ingress, 9/10 world-ipv4/6, 11-14
     * aggregates), well-known (100-115, e.g. kube-dns, cilium-operator) or user-reserved
     * (128-255).
     */
    public static final long FIRST_ALLOCATABLE = 256;

    /** Largest value of Go's {@code uint32}, the type of {@code NumericIdentity}. */
    public static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private NumericIdentities() {
    }

    /**
     * True for reserved, well-known and user-reserved identities (below 256). They are not
     * scoped by cluster ID, which is why ipcache entries of any cluster may carry them
     * (spec 1.5 item 8, Cilium {@code pkg/ipcache/kvstore.go WithIdentityValidator}).
     */
    public static boolean isReservedOrWellKnown(long identity) {
        return identity >= 0 && identity < FIRST_ALLOCATABLE;
    }

    /** True when {@code identity} fits Go's {@code uint32}. */
    public static boolean isUint32(long identity) {
        return identity >= 0 && identity <= MAX_UINT32;
    }
}
