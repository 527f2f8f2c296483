package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.Objects;

/**
 * A named container port of an endpoint, Cilium's {@code identity.NamedPort}, written as
 * {@code {"Name": "http", "Port": 8080, "Protocol": "TCP"}} (spec 2.3). Remote agents use it to
 * resolve named ports in policies.
 *
 * @param name     the port name
 * @param port     0..65535 (Go {@code uint16})
 * @param protocol protocol name as Cilium prints it, e.g. {@code TCP}
 */
public record NamedPort(String name, int port, String protocol) {

    /** Requires the texts and a uint16 port. */
    public NamedPort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        if (port < 0 || port > 65535) {
            throw new InvalidValueException("Port", Integer.toString(port), "must be between 0 and 65535");
        }
    }
}
