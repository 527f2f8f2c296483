package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A global service as one cluster exports it: Cilium's {@code ClusterService} (spec 2.1, STABLE
 * API), stored at {@code cilium/cache/services/v1/<cluster>/<namespace>/<name>}.
 *
 * <p>JSON keys and order: {@code cluster, namespace, name, frontends, backends, hostnames
 * (omitted when empty), zones (omitted when empty), labels, selector, includeExternal, shared,
 * clusterID}. Maps are written with sorted keys and are never {@code null} here: Cilium's writer
 * starts from empty maps ({@code NewClusterService}), so they encode as {@code {}}.
 *
 * <p>The record only enforces types (no nulls, uint32 cluster ID); whether the values fit the
 * cluster they are stored under is {@link ClusterDataValidator}'s job, so foreign data can be
 * decoded first and refused with a precise reason.
 *
 * @param cluster         name of the exporting cluster
 * @param namespace       the service's namespace
 * @param name            the service's name
 * @param frontends       ClusterIP → ports (informational for remote readers)
 * @param backends        backend IP → ports
 * @param hostnames       backend IP → hostname
 * @param zones           backend IP → zone and hints
 * @param labels          the service's labels
 * @param selector        the service's selector
 * @param includeExternal whether remote backends are included (true for global services)
 * @param shared          whether this cluster shares its backends (true whenever exported)
 * @param clusterId       ID of the exporting cluster (Go {@code uint32})
 */
public record ClusterService(
        String cluster,
        String namespace,
        String name,
        Map<String, PortConfiguration> frontends,
        Map<String, PortConfiguration> backends,
        Map<String, String> hostnames,
        Map<String, BackendZone> zones,
        Map<String, String> labels,
        Map<String, String> selector,
        boolean includeExternal,
        boolean shared,
        long clusterId) {

    /** Copies every map into Go key order and checks the cluster ID fits a uint32. */
    public ClusterService {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        frontends = GoOrder.sortedCopy(frontends, "frontends");
        backends = GoOrder.sortedCopy(backends, "backends");
        hostnames = GoOrder.sortedCopy(hostnames, "hostnames");
        zones = GoOrder.sortedCopy(zones, "zones");
        labels = GoOrder.sortedCopy(labels, "labels");
        selector = GoOrder.sortedCopy(selector, "selector");
        if (!NumericIdentities.isUint32(clusterId)) {
            throw new InvalidValueException("clusterID", Long.toString(clusterId), "must be between 0 and 4294967295");
        }
    }

    /**
     * Starts a service as meshfed exports it (spec 2.1 writer rules: cluster and clusterID of the
     * exporting cluster, {@code shared} and {@code includeExternal} true).
     */
    public static Builder exportedBy(ClusterName cluster, ClusterId clusterId, String namespace, String name) {
        return new Builder(cluster.value(), clusterId.value(), namespace, name);
    }

    /** The kvstore key name below the cluster: {@code <namespace>/<name>} (Cilium {@code GetKeyName}). */
    public String keyName() {
        return namespace + "/" + name;
    }

    /** Go-identical JSON bytes; equal records always give equal bytes. */
    public byte[] toJson() {
        return ClusterServiceJson.encode(this);
    }

    /** Decodes JSON someone else wrote; refuses (never throws) when it is not a ClusterService. */
    public static ReadResult<ClusterService> fromJson(byte[] json) {
        return ClusterServiceJson.decode(json);
    }

    /** Collects the maps of an exported service; not thread-safe, use once. */
    public static final class Builder {

        private final String cluster;
        private final long clusterId;
        private final String namespace;
        private final String name;
        private final Map<String, PortConfiguration> frontends = new HashMap<>();
        private final Map<String, PortConfiguration> backends = new HashMap<>();
        private final Map<String, String> hostnames = new HashMap<>();
        private final Map<String, BackendZone> zones = new HashMap<>();
        private final Map<String, String> labels = new HashMap<>();
        private final Map<String, String> selector = new HashMap<>();

        private Builder(String cluster, long clusterId, String namespace, String name) {
            this.cluster = cluster;
            this.clusterId = clusterId;
            this.namespace = namespace;
            this.name = name;
        }

        /** Adds a frontend (a ClusterIP). */
        public Builder frontend(IpAddress ip, PortConfiguration ports) {
            frontends.put(ip.toString(), ports);
            return this;
        }

        /** Adds a backend (an endpoint address that is ready or serving). */
        public Builder backend(IpAddress ip, PortConfiguration ports) {
            backends.put(ip.toString(), ports);
            return this;
        }

        /** Records a backend's hostname. */
        public Builder hostname(IpAddress backend, String hostname) {
            hostnames.put(backend.toString(), hostname);
            return this;
        }

        /** Records a backend's zone. */
        public Builder zone(IpAddress backend, BackendZone zone) {
            zones.put(backend.toString(), zone);
            return this;
        }

        /** Copies the service's labels. */
        public Builder labels(Map<String, String> serviceLabels) {
            labels.putAll(serviceLabels);
            return this;
        }

        /** Copies the service's selector. */
        public Builder selector(Map<String, String> serviceSelector) {
            selector.putAll(serviceSelector);
            return this;
        }

        /** The exported service: shared and including external backends. */
        public ClusterService build() {
            return new ClusterService(cluster, namespace, name, frontends, backends, hostnames, zones,
                    labels, selector, true, true, clusterId);
        }
    }
}
