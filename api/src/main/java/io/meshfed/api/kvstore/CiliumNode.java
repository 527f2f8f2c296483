package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node as remote agents see it: Cilium's {@code nodeTypes.Node} (spec 2.4), converted from a
 * member's {@code CiliumNode} object and stored at {@code cilium/cache/nodes/v1/<cluster>/<name>}.
 * Remote agents use it for tunnel endpoints, pod CIDR routes, health checks and encryption.
 *
 * <p>The Go struct has no JSON tags, so keys are the capitalised field names, in this order:
 * {@code Name, Cluster, IPAddresses, IPv4AllocCIDR, IPv4SecondaryAllocCIDRs, IPv6AllocCIDR,
 * IPv6SecondaryAllocCIDRs, IPv4HealthIP, IPv6HealthIP, IPv4IngressIP, IPv6IngressIP, ClusterID,
 * Source, EncryptionKey, Labels, Annotations, NodeIdentity, WireguardPubKey, BootID}. Nothing is
 * omitted: absent CIDRs are {@code null}, absent IPs {@code ""}, and empty lists and maps
 * {@code null}, because Cilium's converter leaves them nil unless it has something to add.
 *
 * <p>{@code NodeIdentity} is not in the spec's example but is in Cilium's struct and its fixture
 * {@code ciliumnodes.txtar} (always 0 there); it is kept so re-encoding a Cilium-written value
 * changes nothing.
 *
 * @param name                    the node name (the key's last segment)
 * @param cluster                 the cluster name
 * @param ipAddresses             node addresses in the CiliumNode's order
 * @param ipv4AllocCidr           primary IPv4 pod CIDR, or {@code null}
 * @param ipv4SecondaryAllocCidrs further IPv4 pod CIDRs
 * @param ipv6AllocCidr           primary IPv6 pod CIDR, or {@code null}
 * @param ipv6SecondaryAllocCidrs further IPv6 pod CIDRs
 * @param ipv4HealthIp            cilium-health endpoint IPv4, or {@code null}
 * @param ipv6HealthIp            cilium-health endpoint IPv6, or {@code null}
 * @param ipv4IngressIp           Ingress listener IPv4, or {@code null}
 * @param ipv6IngressIp           Ingress listener IPv6, or {@code null}
 * @param clusterId               the cluster ID (Go {@code uint32})
 * @param source                  where the node came from, {@code custom-resource} for CiliumNodes
 * @param encryptionKey           IPsec key index (Go {@code uint8})
 * @param labels                  the CiliumNode's labels
 * @param annotations             the CiliumNode's annotations
 * @param nodeIdentity            numeric node identity (Go {@code uint32}), usually 0
 * @param wireguardPubKey         from annotation {@code network.cilium.io/wg-pub-key}, or {@code ""}
 * @param bootId                  the node's boot ID, or {@code ""}
 */
public record CiliumNode(
        String name,
        String cluster,
        List<NodeAddress> ipAddresses,
        IpNet ipv4AllocCidr,
        List<IpNet> ipv4SecondaryAllocCidrs,
        IpNet ipv6AllocCidr,
        List<IpNet> ipv6SecondaryAllocCidrs,
        IpAddress ipv4HealthIp,
        IpAddress ipv6HealthIp,
        IpAddress ipv4IngressIp,
        IpAddress ipv6IngressIp,
        long clusterId,
        String source,
        int encryptionKey,
        Map<String, String> labels,
        Map<String, String> annotations,
        long nodeIdentity,
        String wireguardPubKey,
        String bootId) {

    /** What Cilium writes in {@code Source} for nodes converted from CiliumNode objects. */
    public static final String SOURCE_CUSTOM_RESOURCE = "custom-resource";

    /** Copies lists and maps (maps into Go key order) and checks Go integer ranges. */
    public CiliumNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(wireguardPubKey, "wireguardPubKey");
        Objects.requireNonNull(bootId, "bootId");
        ipAddresses = List.copyOf(ipAddresses);
        ipv4SecondaryAllocCidrs = List.copyOf(ipv4SecondaryAllocCidrs);
        ipv6SecondaryAllocCidrs = List.copyOf(ipv6SecondaryAllocCidrs);
        labels = GoOrder.sortedCopy(labels, "labels");
        annotations = GoOrder.sortedCopy(annotations, "annotations");
        requireUint32("ClusterID", clusterId);
        requireUint32("NodeIdentity", nodeIdentity);
        if (encryptionKey < 0 || encryptionKey > 255) {
            throw new InvalidValueException("EncryptionKey", Integer.toString(encryptionKey), "must be between 0 and 255");
        }
    }

    private static void requireUint32(String field, long value) {
        if (!NumericIdentities.isUint32(value)) {
            throw new InvalidValueException(field, Long.toString(value), "must be between 0 and 4294967295");
        }
    }

    /** Starts a node of {@code cluster} as converted from a CiliumNode ({@code Source} custom-resource). */
    public static Builder builder(String name, ClusterName cluster, ClusterId clusterId) {
        return new Builder(name, cluster.value(), clusterId.value());
    }

    /** Go-identical JSON bytes; equal records always give equal bytes. */
    public byte[] toJson() {
        return CiliumNodeJson.encode(this);
    }

    /** Decodes JSON someone else wrote; refuses (never throws) when it is not a Node. */
    public static ReadResult<CiliumNode> fromJson(byte[] json) {
        return CiliumNodeJson.decode(json);
    }

    /** Collects a node's parts; not thread-safe, use once. */
    public static final class Builder {

        private final String name;
        private final String cluster;
        private final long clusterId;
        private final List<NodeAddress> addresses = new ArrayList<>();
        private final List<IpNet> ipv4Cidrs = new ArrayList<>();
        private final List<IpNet> ipv6Cidrs = new ArrayList<>();
        private IpAddress ipv4HealthIp;
        private IpAddress ipv6HealthIp;
        private IpAddress ipv4IngressIp;
        private IpAddress ipv6IngressIp;
        private int encryptionKey;
        private final Map<String, String> labels = new HashMap<>();
        private final Map<String, String> annotations = new HashMap<>();
        private long nodeIdentity;
        private String wireguardPubKey = "";
        private String bootId = "";

        private Builder(String name, String cluster, long clusterId) {
            this.name = name;
            this.cluster = cluster;
            this.clusterId = clusterId;
        }

        /** Adds a node address, keeping the order of the CiliumNode spec. */
        public Builder address(String type, IpAddress ip) {
            addresses.add(new NodeAddress(type, ip));
            return this;
        }

        /**
         * Adds a pod CIDR: the first of each family becomes the primary alloc CIDR, later ones
         * secondary, exactly as Cilium's {@code ParseCiliumNode} sorts {@code spec.ipam.podCIDRs}.
         */
        public Builder podCidr(IpNet cidr) {
            (cidr.ip().isIpv4() ? ipv4Cidrs : ipv6Cidrs).add(cidr);
            return this;
        }

        /** Sets the cilium-health endpoint addresses ({@code null} when absent). */
        public Builder healthIps(IpAddress ipv4, IpAddress ipv6) {
            this.ipv4HealthIp = ipv4;
            this.ipv6HealthIp = ipv6;
            return this;
        }

        /** Sets the Ingress listener addresses ({@code null} when absent). */
        public Builder ingressIps(IpAddress ipv4, IpAddress ipv6) {
            this.ipv4IngressIp = ipv4;
            this.ipv6IngressIp = ipv6;
            return this;
        }

        /** Sets the IPsec key index ({@code spec.encryption.key}). */
        public Builder encryptionKey(int key) {
            this.encryptionKey = key;
            return this;
        }

        /** Copies the CiliumNode's labels. */
        public Builder labels(Map<String, String> nodeLabels) {
            labels.putAll(nodeLabels);
            return this;
        }

        /** Copies the CiliumNode's annotations. */
        public Builder annotations(Map<String, String> nodeAnnotations) {
            annotations.putAll(nodeAnnotations);
            return this;
        }

        /** Sets {@code spec.nodeIdentity}. */
        public Builder nodeIdentity(long identity) {
            this.nodeIdentity = identity;
            return this;
        }

        /** Sets the WireGuard public key (annotation {@code network.cilium.io/wg-pub-key}). */
        public Builder wireguardPubKey(String key) {
            this.wireguardPubKey = key;
            return this;
        }

        /** Sets {@code spec.bootid}. */
        public Builder bootId(String id) {
            this.bootId = id;
            return this;
        }

        /** The node, with {@code Source} {@value #SOURCE_CUSTOM_RESOURCE}. */
        public CiliumNode build() {
            return new CiliumNode(name, cluster, addresses,
                    ipv4Cidrs.isEmpty() ? null : ipv4Cidrs.get(0), rest(ipv4Cidrs),
                    ipv6Cidrs.isEmpty() ? null : ipv6Cidrs.get(0), rest(ipv6Cidrs),
                    ipv4HealthIp, ipv6HealthIp, ipv4IngressIp, ipv6IngressIp,
                    clusterId, SOURCE_CUSTOM_RESOURCE, encryptionKey, labels, annotations,
                    nodeIdentity, wireguardPubKey, bootId);
        }

        private static List<IpNet> rest(List<IpNet> cidrs) {
            return cidrs.size() <= 1 ? List.of() : cidrs.subList(1, cidrs.size());
        }
    }
}
