package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.MaxConnectedClusters;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-object checks a Cilium agent applies to data of a remote cluster before using it
 * (spec 1.5 item 8, Cilium {@code pkg/node/store}, {@code pkg/clustermesh/store},
 * {@code pkg/identity/cache/allocator.go}, {@code pkg/ipcache/kvstore.go}), for one cluster.
 *
 * <p>Used twice: by the controller to refuse bad data <em>before</em> writing it (an agent would
 * silently drop it, leaving a hole nobody sees), and by conformance readers in tests. Every
 * method returns the object when it passes and a refusal naming the field and rule otherwise;
 * none throws for bad data.
 *
 * @param cluster   the cluster the data claims to belong to (the key's cluster segment)
 * @param clusterId that cluster's ID, which also fixes the mesh mode
 */
public record ClusterDataValidator(ClusterName cluster, ClusterId clusterId) {

    /** Requires both. */
    public ClusterDataValidator {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(clusterId, "clusterId");
    }

    /**
     * A node: {@code Cluster} is this cluster, {@code Name} equals the key's node name,
     * {@code ClusterID} is this cluster's ID.
     *
     * @param keyName the key's last segment
     */
    public ReadResult<CiliumNode> checkNode(String keyName, CiliumNode node) {
        if (!node.cluster().equals(cluster.value())) {
            return ReadResult.refused("Cluster", node.cluster(), "must be \"" + cluster + "\", the cluster in the key");
        }
        if (!node.name().equals(keyName)) {
            return ReadResult.refused("Name", node.name(), "must equal the node name in the key (\"" + keyName + "\")");
        }
        if (node.clusterId() != clusterId.value()) {
            return ReadResult.refused("ClusterID", Long.toString(node.clusterId()), mustBeClusterId());
        }
        return ReadResult.accepted(node);
    }

    /**
     * A global service: cluster, namespace and name set; every frontend and backend key an IP;
     * {@code cluster} is this cluster; {@code <namespace>/<name>} equals the key;
     * {@code clusterID} is this cluster's ID.
     *
     * @param keyName the key's {@code <namespace>/<name>}
     */
    public ReadResult<ClusterService> checkService(String keyName, ClusterService service) {
        if (service.cluster().isEmpty()) {
            return ReadResult.refused("cluster", null, "must not be empty");
        }
        if (service.namespace().isEmpty()) {
            return ReadResult.refused("namespace", null, "must not be empty");
        }
        if (service.name().isEmpty()) {
            return ReadResult.refused("name", null, "must not be empty");
        }
        Optional<Finding> badAddress = firstBadAddress("frontends", service.frontends())
                .or(() -> firstBadAddress("backends", service.backends()));
        if (badAddress.isPresent()) {
            return ReadResult.refused(badAddress.get());
        }
        if (!service.cluster().equals(cluster.value())) {
            return ReadResult.refused("cluster", service.cluster(), "must be \"" + cluster + "\", the cluster in the key");
        }
        if (!service.keyName().equals(keyName)) {
            return ReadResult.refused("namespace/name", service.keyName(),
                    "must equal the namespace/name in the key (\"" + keyName + "\")");
        }
        if (service.clusterId() != clusterId.value()) {
            return ReadResult.refused("clusterID", Long.toString(service.clusterId()), mustBeClusterId());
        }
        return ReadResult.accepted(service);
    }

    private static Optional<Finding> firstBadAddress(String field, Map<String, ?> byAddress) {
        return byAddress.keySet().stream()
                .filter(address -> IpAddress.tryParse(address).isEmpty())
                .findFirst()
                .map(address -> new Finding(field + "[\"" + address + "\"]", address, IpAddress.RULE));
    }

    /**
     * An identity: the number lies in this cluster's allocation range, and the labels carry
     * {@code k8s:io.cilium.k8s.policy.cluster=<cluster>} (any cluster label with another source
     * or value is refused too, as Cilium's {@code clusterNameValidator} does).
     */
    public ReadResult<IdentityLabels> checkIdentity(long identity, IdentityLabels labels) {
        if (!clusterId.owns(identity)) {
            return ReadResult.refused("identity", Long.toString(identity), "must be in " + clusterId.identityRange()
                    + ", the range of cluster ID " + clusterId + " with max-connected-clusters "
                    + clusterId.maxConnectedClusters());
        }
        Optional<Label> clusterLabel = labels.get(IdentityLabels.CLUSTER_LABEL_KEY);
        if (clusterLabel.isEmpty()) {
            return ReadResult.refused("labels", labels.format(),
                    "must contain " + expectedClusterLabel().formatForKvstore() + " (spec 1.5 item 8)");
        }
        if (!clusterLabel.get().source().equals(Label.SOURCE_K8S)) {
            return ReadResult.refused("labels", clusterLabel.get().toString(),
                    "must use source k8s for " + IdentityLabels.CLUSTER_LABEL_KEY);
        }
        if (!clusterLabel.get().value().equals(cluster.value())) {
            return ReadResult.refused("labels", clusterLabel.get().toString(),
                    "must name this cluster: " + expectedClusterLabel());
        }
        return ReadResult.accepted(labels);
    }

    /**
     * An ipcache entry: the identity lies in this cluster's range or is reserved/well-known
     * (below 256), and the key name equals the value's IP (or IP/prefix).
     *
     * @param keyName the key's name below the cluster, e.g. {@code 10.244.2.74}
     */
    public ReadResult<IPIdentityPair> checkIpcacheEntry(String keyName, IPIdentityPair pair) {
        MaxConnectedClusters mode = clusterId.maxConnectedClusters();
        if (!mode.isAcceptedInIpcache(clusterId.value(), pair.identity())) {
            return ReadResult.refused("ID", Long.toString(pair.identity()), "must be below 256 or in "
                    + clusterId.identityRange() + ", the range of cluster ID " + clusterId);
        }
        if (!pair.keyName().equals(keyName)) {
            return ReadResult.refused("IP", pair.keyName(), "must match the IP in the key (\"" + keyName + "\")");
        }
        return ReadResult.accepted(pair);
    }

    /**
     * The cluster config (spec 1.5 item 4, stricter where meshfed controls both sides): the ID
     * is this cluster's, the mesh mode matches, the endpoint-slice export mode is known.
     */
    public ReadResult<CiliumClusterConfig> checkClusterConfig(CiliumClusterConfig config) {
        if (config.id() != clusterId.value()) {
            return ReadResult.refused("id", Long.toString(config.id()), mustBeClusterId());
        }
        Optional<MaxConnectedClusters> mode = config.capabilities().mode();
        if (mode.isEmpty() || mode.get() != clusterId.maxConnectedClusters()) {
            return ReadResult.refused("capabilities.maxConnectedClusters",
                    Long.toString(config.capabilities().maxConnectedClusters()),
                    "must be " + clusterId.maxConnectedClusters() + ", the mesh's max-connected-clusters");
        }
        String exportMode = config.capabilities().endpointSlicesExportMode();
        if (!CiliumClusterConfig.Capabilities.ENDPOINT_SLICES_EXPORT_MODES.contains(exportMode)) {
            return ReadResult.refused("capabilities.endpointSlicesExportMode", exportMode,
                    "must be \"\", services-and-endpointslices or endpointslices-only");
        }
        return ReadResult.accepted(config);
    }

    private Label expectedClusterLabel() {
        return Label.k8s(IdentityLabels.CLUSTER_LABEL_KEY, cluster.value());
    }

    private String mustBeClusterId() {
        return "must be " + clusterId + ", the ID of cluster " + cluster;
    }
}
