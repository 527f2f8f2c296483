package io.meshfed.api.kvstore;

import java.util.List;
import java.util.Objects;

/**
 * Cilium's {@code BackendZone}: where a backend runs and, from EndpointSlice hints, which zones
 * should consume it. Written as {@code {"zone": "zone1", "forZones": [{"name": "zone1"}]}}
 * (spec 2.1; the list of objects mirrors the Kubernetes API shape).
 *
 * @param zone     the backend's zone
 * @param forZones zone names from the topology hints, in hint order
 */
public record BackendZone(String zone, List<String> forZones) {

    /** Copies the list; null names are refused. */
    public BackendZone {
        Objects.requireNonNull(zone, "zone");
        forZones = List.copyOf(forZones);
    }

    /** A backend in {@code zone} hinted for the same zone only, the usual case. */
    public static BackendZone sameZone(String zone) {
        return new BackendZone(zone, List.of(zone));
    }
}
