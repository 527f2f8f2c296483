package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster's config as agents read it before anything else: Cilium's {@code CiliumClusterConfig}
 * (spec 2.5) at {@code cilium/cluster-config/<cluster>}. Without it agents do not connect
 * (spec 1.5 item 3), so meshfed writes it first and keeps it alive.
 *
 * <p>JSON: {@code {"id": 3, "capabilities": {"syncedCanaries": true, "cached": true,
 * "maxConnectedClusters": 255, "serviceExportsEnabled": false}}}. Every field carries Go's
 * {@code omitempty}: {@code id} 0, {@code false} flags, {@code maxConnectedClusters} 0, an absent
 * {@code serviceExportsEnabled} and an empty {@code endpointSlicesExportMode} are left out;
 * {@code capabilities} itself is a struct and is always written.
 *
 * @param id           the cluster ID (Go {@code uint32}; 0 means unset)
 * @param capabilities what the data under this cluster looks like
 */
public record CiliumClusterConfig(long id, Capabilities capabilities) {

    /** Checks the Go type of the ID. */
    public CiliumClusterConfig {
        Objects.requireNonNull(capabilities, "capabilities");
        if (!NumericIdentities.isUint32(id)) {
            throw new InvalidValueException("id", Long.toString(id), "must be between 0 and 4294967295");
        }
    }

    /**
     * The config meshfed writes for a member (spec 1.3 and DESIGN.md flow 2): canaries are
     * published and data lives in the cluster-scoped {@code cilium/cache/...} layout
     * ({@code cached: true}), so agents read it exactly as they read KVStoreMesh's copy.
     */
    public static CiliumClusterConfig forMeshfedCache(ClusterId clusterId, ServiceExports serviceExports) {
        return new CiliumClusterConfig(clusterId.value(), new Capabilities(true, true,
                clusterId.maxConnectedClusters().value(), serviceExports, ""));
    }

    /** Go-identical JSON bytes; equal records always give equal bytes. */
    public byte[] toJson() {
        return CiliumClusterConfigJson.encode(this);
    }

    /** Decodes JSON someone else wrote; refuses (never throws) when it is not a cluster config. */
    public static ReadResult<CiliumClusterConfig> fromJson(byte[] json) {
        return CiliumClusterConfigJson.decode(json);
    }

    /**
     * Whether MCS-API service exports are supported, the tri-state Go {@code *bool}
     * {@code serviceExportsEnabled}.
     */
    public enum ServiceExports {
        /** Field absent: the cluster predates MCS-API export (Cilium 1.16 and older). */
        NOT_SUPPORTED,
        /** {@code false}: supported but disabled. */
        DISABLED,
        /** {@code true}: exported under {@code serviceexports/v1}. */
        ENABLED
    }

    /**
     * Cilium's {@code CiliumClusterConfigCapabilities}.
     *
     * @param syncedCanaries           the writer publishes {@code cilium/synced/...} canaries
     * @param cached                   data lives under the cluster-scoped {@code cilium/cache/...}
     *                                 layout (KVStoreMesh, or meshfed)
     * @param maxConnectedClusters     255, 511, or 0 when unknown (Cilium reads 0 as 255)
     * @param serviceExports           the tri-state {@code serviceExportsEnabled}
     * @param endpointSlicesExportMode {@code ""} (services only),
     *                                 {@code services-and-endpointslices} or
     *                                 {@code endpointslices-only} (Cilium 1.20+)
     */
    public record Capabilities(
            boolean syncedCanaries,
            boolean cached,
            long maxConnectedClusters,
            ServiceExports serviceExports,
            String endpointSlicesExportMode) {

        /** Export modes Cilium accepts from a remote (spec 1.5 item 4). */
        public static final Set<String> ENDPOINT_SLICES_EXPORT_MODES =
                Set.of("", "services-and-endpointslices", "endpointslices-only");

        /** Requires every part and a uint32 {@code maxConnectedClusters}. */
        public Capabilities {
            Objects.requireNonNull(serviceExports, "serviceExports");
            Objects.requireNonNull(endpointSlicesExportMode, "endpointSlicesExportMode");
            if (!NumericIdentities.isUint32(maxConnectedClusters)) {
                throw new InvalidValueException("capabilities.maxConnectedClusters",
                        Long.toString(maxConnectedClusters), "must be between 0 and 4294967295");
            }
        }

        /** The mesh mode, reading 0 as 255 like Cilium; empty for values other than 0, 255, 511. */
        public Optional<MaxConnectedClusters> mode() {
            return MaxConnectedClusters.fromClusterConfig(maxConnectedClusters);
        }
    }
}
