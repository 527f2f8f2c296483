package io.meshfed.api.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * The numeric ID of a meshed cluster: 1..{@link MaxConnectedClusters#maxClusterId()} (spec
 * section 3.2, Cilium {@code ValidateClusterID}).
 *
 * <p>0 means "unset" and is only legal for clusters outside a mesh; a remote with ID 0 is
 * rejected by every Cilium agent, so this type cannot hold it. The ID carries the mesh mode it
 * was validated against, because the same number owns different identities in a 255 and a 511
 * mesh (see {@link #identityRange()}). Uniqueness inside a mesh is the registry's job, not this
 * type's.
 *
 * @param value                the ID
 * @param maxConnectedClusters the mesh mode the ID was validated against
 */
public record ClusterId(int value, MaxConnectedClusters maxConnectedClusters) {

    /** Field name used in messages when the caller does not give one. */
    public static final String FIELD = "cluster-id";

    /** Refuses IDs outside 1..max with an {@link InvalidValueException} naming {@value #FIELD}. */
    public ClusterId {
        Objects.requireNonNull(maxConnectedClusters, "maxConnectedClusters");
        check(FIELD, value, maxConnectedClusters).ifPresent(finding -> {
            throw new InvalidValueException(finding);
        });
    }

    /**
     * Parses an ID from user input or from the wire (Go {@code uint32}, hence {@code long}).
     *
     * @throws InvalidValueException naming {@value #FIELD} unless 1 &lt;= value &lt;= max
     */
    public static ClusterId of(long value, MaxConnectedClusters maxConnectedClusters) {
        check(FIELD, value, maxConnectedClusters).ifPresent(finding -> {
            throw new InvalidValueException(finding);
        });
        return new ClusterId((int) value, maxConnectedClusters);
    }

    /** Checks an ID without throwing, for collect-all validation ({@link Findings}). */
    public static Optional<Finding> check(String field, long value, MaxConnectedClusters maxConnectedClusters) {
        Objects.requireNonNull(field, "field");
        int max = maxConnectedClusters.maxClusterId();
        if (value == 0) {
            return Optional.of(new Finding(field, "0",
                    "must be between 1 and " + max + " (0 means unset and cannot join a mesh)"));
        }
        if (value < 1 || value > max) {
            return Optional.of(new Finding(field, Long.toString(value),
                    "must be between 1 and " + max + " (max-connected-clusters " + max + ")"));
        }
        return Optional.empty();
    }

    /** The identities this cluster may allocate, e.g. 196608..262143 for ID 3 in a 255 mesh. */
    public IdentityRange identityRange() {
        return maxConnectedClusters.identityRange(value);
    }

    /** True when {@code identity} lies in this cluster's allocation range. */
    public boolean owns(long identity) {
        return identityRange().contains(identity);
    }

    /** The number itself, as written in keys and JSON. */
    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
