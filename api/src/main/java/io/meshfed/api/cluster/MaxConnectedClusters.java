package io.meshfed.api.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * How many clusters a mesh can hold, and therefore how numeric identities are split between
 * cluster ID and cluster-local part (spec sections 3.2, 3.3 and 8; Cilium
 * {@code pkg/clustermesh/types/types.go}: {@code GetClusterIDBits}, {@code GetClusterIDShift},
 * {@code MinimalAllocationIdentity}, {@code MaximumAllocationIdentity}).
 *
 * <p>Of the {@value NumericIdentities#BIT_LENGTH} identity bits, the top
 * {@code log2(max + 1)} hold the cluster ID:
 * <ul>
 *   <li>{@link #MAX_255}: cluster ID in bits 16-23, 65536 identities per cluster;</li>
 *   <li>{@link #MAX_511}: cluster ID in bits 15-23, 32768 identities per cluster.</li>
 * </ul>
 * The range of cluster {@code N > 0} is {@code N << shift .. ((N + 1) << shift) - 1}, with no
 * hole for reserved identities; cluster 0 (a non-meshed cluster) starts at 256 instead.
 * The value is chosen when a mesh is created and every member must use the same one.
 */
public enum MaxConnectedClusters {

    /** Cilium's default: up to 255 clusters. */
    MAX_255(255, 8),

    /** Cilium's extended mode: up to 511 clusters, half the identities per cluster. */
    MAX_511(511, 9);

    /** Field name used in messages when the caller does not give one. */
    public static final String FIELD = "max-connected-clusters";

    private static final String RULE = "must be 255 or 511";

    private final int value;
    private final int clusterIdBits;

    MaxConnectedClusters(int value, int clusterIdBits) {
        this.value = value;
        this.clusterIdBits = clusterIdBits;
    }

    /**
     * Parses the user-facing number.
     *
     * @throws InvalidValueException unless the value is 255 or 511
     */
    public static MaxConnectedClusters of(long value) {
        return find(value).orElseThrow(() -> new InvalidValueException(FIELD, Long.toString(value), RULE));
    }

    /** The mode whose value is {@code value}, or empty; never throws. */
    public static Optional<MaxConnectedClusters> find(long value) {
        for (MaxConnectedClusters candidate : values()) {
            if (candidate.value == value) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads {@code capabilities.maxConnectedClusters} of a cluster config, where Cilium omits the
     * field when it is zero and treats absent as 255 ({@code configuredMaxConnectedClusters}).
     *
     * @return the mode, or empty for any value other than 0, 255 and 511
     */
    public static Optional<MaxConnectedClusters> fromClusterConfig(long wireValue) {
        return wireValue == 0 ? Optional.of(MAX_255) : find(wireValue);
    }

    /** The broken rule for collect-all validation ({@link Findings}); empty when valid. */
    public static Optional<Finding> check(String field, long value) {
        Objects.requireNonNull(field, "field");
        if (find(value).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Finding(field, Long.toString(value), RULE));
    }

    /** 255 or 511, as written in {@code capabilities.maxConnectedClusters}. */
    public int value() {
        return value;
    }

    /** Largest valid cluster ID; equal to {@link #value()}. */
    public int maxClusterId() {
        return value;
    }

    /** Identity bits that carry the cluster ID: 8 or 9. */
    public int clusterIdBits() {
        return clusterIdBits;
    }

    /** Position of the lowest cluster-ID bit: 16 or 15. */
    public int clusterIdShift() {
        return NumericIdentities.BIT_LENGTH - clusterIdBits;
    }

    /** Identities each cluster ID owns: 65536 or 32768. */
    public long identitiesPerCluster() {
        return 1L << clusterIdShift();
    }

    /**
     * The identities cluster {@code clusterId} may allocate.
     *
     * @param clusterId 0 (non-meshed; range starts at 256) up to {@link #maxClusterId()}
     * @throws IllegalArgumentException for IDs outside 0..max
     */
    public IdentityRange identityRange(int clusterId) {
        if (clusterId < 0 || clusterId > value) {
            throw new IllegalArgumentException(
                    "cluster ID " + clusterId + " is outside 0.." + value + " for " + this);
        }
        long last = identitiesPerCluster() * (clusterId + 1L) - 1;
        long first = clusterId == 0 ? NumericIdentities.FIRST_ALLOCATABLE : identitiesPerCluster() * clusterId;
        return new IdentityRange(first, last);
    }

    /** The identities {@code clusterId} may allocate; the ID carries its own mode. */
    public IdentityRange identityRange(ClusterId clusterId) {
        requireSameMode(clusterId);
        return identityRange(clusterId.value());
    }

    /**
     * The cluster ID encoded in an identity: {@code (identity >> shift) & max}, as Cilium's
     * {@code ClusterID(id)} computes it. Meaningless for reserved identities (below 256), which
     * yield 0.
     */
    public int clusterIdOf(long identity) {
        return (int) ((identity >>> clusterIdShift()) & value);
    }

    /**
     * True when {@code identity} lies in the allocation range of {@code clusterId}; what
     * Cilium's {@code clusterIDValidator} checks for remote identities (spec 1.5 item 8).
     */
    public boolean isInRange(int clusterId, long identity) {
        return identityRange(clusterId).contains(identity);
    }

    /**
     * True when an ipcache entry of cluster {@code clusterId} may carry {@code identity}: inside
     * the cluster's range, or a reserved/well-known identity below 256, which are not scoped by
     * cluster (spec 1.5 item 8, Cilium {@code WithIdentityValidator}).
     */
    public boolean isAcceptedInIpcache(int clusterId, long identity) {
        return isInRange(clusterId, identity) || NumericIdentities.isReservedOrWellKnown(identity);
    }

    private void requireSameMode(ClusterId clusterId) {
        if (clusterId.maxConnectedClusters() != this) {
            throw new IllegalArgumentException("cluster ID " + clusterId + " belongs to a "
                    + clusterId.maxConnectedClusters().value + " mesh, not a " + value + " mesh");
        }
    }

    /** {@code 255} or {@code 511}. */
    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
