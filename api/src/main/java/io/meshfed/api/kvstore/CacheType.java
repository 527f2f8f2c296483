package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterName;
import java.util.List;
import java.util.Optional;

/**
 * The per-cluster data kinds of the KVStoreMesh cache (spec section 1.3), each stored under
 * {@code cilium/cache/<segment>/v1/<cluster>/...} with a sync canary
 * {@code cilium/synced/<cluster>/cilium/cache/<segment>/v1}.
 */
public enum CacheType {

    /** {@code cilium/cache/identities/v1/<c>/id/<ID>} → label string (spec 2.2). */
    IDENTITIES("identities"),

    /** {@code cilium/cache/ip/v1/<c>/<ip>} → {@link IPIdentityPair} JSON (spec 2.3). */
    IP("ip"),

    /** {@code cilium/cache/nodes/v1/<c>/<node>} → {@link CiliumNode} JSON (spec 2.4). */
    NODES("nodes"),

    /** {@code cilium/cache/services/v1/<c>/<ns>/<name>} → {@link ClusterService} JSON (spec 2.1). */
    SERVICES("services"),

    /**
     * {@code cilium/cache/serviceexports/v1/<c>/<ns>/<name>} → MCS-API spec JSON (spec 2.6). Only
     * present when the cluster config says {@code serviceExportsEnabled}; meshfed does not write
     * it yet, but removes it when a cluster leaves.
     */
    SERVICE_EXPORTS("serviceexports");

    /**
     * The kinds whose canaries a consumer waits for before trusting a cluster's data
     * (spec 1.1 notes); serviceexports only joins when exported.
     */
    public static final List<CacheType> ALWAYS_SYNCED = List.of(NODES, SERVICES, IDENTITIES, IP);

    private final String segment;

    CacheType(String segment) {
        this.segment = segment;
    }

    /** The key segment, e.g. {@code identities}. */
    public String segment() {
        return segment;
    }

    /**
     * Every key of this kind for {@code cluster}, as a prefix for range reads and deletes:
     * {@code cilium/cache/nodes/v1/<c>/}. The trailing slash matters: without it the prefix of
     * cluster {@code c} would also match cluster {@code c1}.
     */
    public String prefix(ClusterName cluster) {
        return CacheKeys.joinKey(CacheKeys.CACHE_PREFIX, segment, CacheKeys.VERSION, cluster.value()) + "/";
    }

    /** The canary written after this kind's initial full write: {@code cilium/synced/<c>/cilium/cache/nodes/v1}. */
    public String syncedCanaryKey(ClusterName cluster) {
        return CacheKeys.joinKey(CacheKeys.SYNCED_PREFIX, cluster.value(), CacheKeys.CACHE_PREFIX, segment,
                CacheKeys.VERSION);
    }

    /** The kind whose key segment is {@code segment}, if any. */
    public static Optional<CacheType> fromSegment(String segment) {
        for (CacheType type : values()) {
            if (type.segment.equals(segment)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
