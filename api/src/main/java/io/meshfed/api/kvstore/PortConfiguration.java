package io.meshfed.api.kvstore;

import java.util.Map;

/**
 * Cilium's {@code PortConfiguration}: the ports of one frontend or backend address, keyed by port
 * name, written as {@code {"http": {"Protocol": "TCP", "Port": 80}}} (spec 2.1). An unnamed
 * Kubernetes port uses the key {@code ""}.
 *
 * @param ports port name to port; iterates in Go's key order
 */
public record PortConfiguration(Map<String, L4Addr> ports) {

    /** Keeps an unmodifiable copy sorted like Go's {@code encoding/json} sorts map keys. */
    public PortConfiguration {
        ports = GoOrder.sortedCopy(ports, "ports");
    }

    /** One named port. */
    public static PortConfiguration of(String portName, L4Addr port) {
        return new PortConfiguration(Map.of(portName, port));
    }

    /** One unnamed port (key {@code ""}). */
    public static PortConfiguration unnamed(L4Addr port) {
        return of("", port);
    }
}
