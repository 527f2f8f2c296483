package io.meshfed.controller.sync.convert;

import io.meshfed.api.kvstore.IpAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ipcache entries of one CiliumEndpoint, with the IP of each so a sync session can claim it
 * in {@link IpOwnership} before writing.
 *
 * @param endpoint    the endpoint that was converted
 * @param conversion  {@link Conversion.Entries} (one entry per address, possibly none) or
 *                    {@link Conversion.Refused}
 * @param entriesByIp the same entries keyed by IP, in address order; empty unless the
 *                    conversion is {@link Conversion.Entries}
 */
public record EndpointConversion(EndpointRef endpoint, Conversion conversion, Map<IpAddress, KeyValue> entriesByIp) {

  /** Checks that the map and the conversion agree. */
  public EndpointConversion {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(conversion, "conversion");
    entriesByIp = Collections.unmodifiableMap(new LinkedHashMap<>(entriesByIp));
    boolean agree = conversion instanceof Conversion.Entries entries
        ? entries.entries().equals(List.copyOf(entriesByIp.values()))
        : entriesByIp.isEmpty();
    if (!agree) {
      throw new IllegalArgumentException("entriesByIp must list exactly the entries of " + conversion);
    }
  }

  static EndpointConversion entries(EndpointRef endpoint, Map<IpAddress, KeyValue> entriesByIp) {
    return new EndpointConversion(endpoint, new Conversion.Entries(List.copyOf(entriesByIp.values())),
        entriesByIp);
  }

  static EndpointConversion refused(EndpointRef endpoint, Conversion.Refused refused) {
    return new EndpointConversion(endpoint, refused, Map.of());
  }
}
