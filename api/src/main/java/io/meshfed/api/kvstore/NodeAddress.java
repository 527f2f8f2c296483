package io.meshfed.api.kvstore;

import java.util.Objects;

/**
 * One address of a node, Cilium's {@code nodeTypes.Address}: {@code {"Type": "InternalIP",
 * "IP": "172.18.0.2"}} (spec 2.4).
 *
 * @param type {@code InternalIP}, {@code ExternalIP} or {@code CiliumInternalIP} (kept as text:
 *             Cilium does not restrict it either)
 * @param ip   the address
 */
public record NodeAddress(String type, IpAddress ip) {

    /** The address type of the node's Kubernetes InternalIP. */
    public static final String INTERNAL_IP = "InternalIP";
    /** The address type of the node's Kubernetes ExternalIP. */
    public static final String EXTERNAL_IP = "ExternalIP";
    /** The address type of the node's {@code cilium_host} address (tunnel and health traffic). */
    public static final String CILIUM_INTERNAL_IP = "CiliumInternalIP";

    /** Requires both parts. */
    public NodeAddress {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ip, "ip");
    }
}
