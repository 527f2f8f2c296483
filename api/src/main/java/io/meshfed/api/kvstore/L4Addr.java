package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.Objects;
import java.util.Set;

/**
 * Cilium's {@code loadbalancer.L4Addr}, one port of a frontend or backend. The Go struct has no
 * JSON tags, so the keys are the capitalised field names {@code "Protocol"} and {@code "Port"}
 * (spec 2.1).
 *
 * @param protocol one of {@code TCP UDP SCTP ANY NONE}, upper case as Cilium writes it
 * @param port     0..65535 (Go {@code uint16})
 */
public record L4Addr(String protocol, int port) {

    /** Protocol names Cilium's load balancer knows (spec 2.1). */
    public static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP", "ANY", "NONE");

    private static final String PROTOCOL_RULE = "must be one of TCP, UDP, SCTP, ANY, NONE";

    /** Refuses unknown protocols and ports outside uint16. */
    public L4Addr {
        Objects.requireNonNull(protocol, "protocol");
        if (!PROTOCOLS.contains(protocol)) {
            throw new InvalidValueException("Protocol", protocol, PROTOCOL_RULE);
        }
        if (port < 0 || port > 65535) {
            throw new InvalidValueException("Port", Integer.toString(port), "must be between 0 and 65535");
        }
    }

    /** A TCP port. */
    public static L4Addr tcp(int port) {
        return new L4Addr("TCP", port);
    }

    /** A UDP port. */
    public static L4Addr udp(int port) {
        return new L4Addr("UDP", port);
    }
}
