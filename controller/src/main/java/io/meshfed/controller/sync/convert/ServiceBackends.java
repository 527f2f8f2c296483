package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.ForZone;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.Findings;
import io.meshfed.api.kvstore.BackendZone;
import io.meshfed.api.kvstore.ClusterService;
import io.meshfed.api.kvstore.IpAddress;
import io.meshfed.api.kvstore.L4Addr;
import io.meshfed.api.kvstore.PortConfiguration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The backends of one service, gathered from its EndpointSlices the way Cilium's
 * {@code ParseEndpointSliceV1} reads them (see {@link ServiceConverter} for the rules). An
 * address that appears in several slices keeps the ports, hostname and zone of every slice, the
 * first slice by name winning a conflict, so the result never depends on the order of the
 * informer's cache.
 */
final class ServiceBackends {

  /** Where pre-1.21 EndpointSlices carried the zone; Cilium still reads it. */
  static final String DEPRECATED_ZONE_TOPOLOGY = "topology.kubernetes.io/zone";

  private static final Set<String> IP_ADDRESS_TYPES = Set.of("IPv4", "IPv6");

  private final Map<IpAddress, Map<String, L4Addr>> ports = new LinkedHashMap<>();
  private final Map<IpAddress, String> hostnames = new LinkedHashMap<>();
  private final Map<IpAddress, BackendZone> zones = new LinkedHashMap<>();

  private ServiceBackends() {
  }

  /** The backends of service {@code namespace/name}; unparsable addresses become findings. */
  static ServiceBackends of(String namespace, String name, Collection<EndpointSlice> endpointSlices,
      Findings findings) {
    ServiceBackends backends = new ServiceBackends();
    endpointSlices.stream()
        .filter(slice -> belongsTo(slice, namespace, name))
        .filter(slice -> IP_ADDRESS_TYPES.contains(slice.getAddressType())) // FQDN slices: Cilium skips them
        .sorted(Comparator.comparing(slice -> Objects.toString(slice.getMetadata().getName(), "")))
        .forEach(slice -> backends.add(slice, findings));
    return backends;
  }

  /** Hands every backend to the service being built. */
  void addTo(ClusterService.Builder builder) {
    ports.forEach((ip, byName) -> builder.backend(ip, new PortConfiguration(byName)));
    hostnames.forEach(builder::hostname);
    zones.forEach(builder::zone);
  }

  private void add(EndpointSlice slice, Findings findings) {
    String sliceField = "endpointslices[\"" + slice.getMetadata().getName() + "\"]";
    Map<String, L4Addr> slicePorts = ports(slice.getPorts());
    List<Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
    for (int e = 0; e < endpoints.size(); e++) {
      Endpoint endpoint = endpoints.get(e);
      if (!readyOrServing(endpoint.getConditions())) {
        continue;
      }
      List<String> addresses = endpoint.getAddresses() == null ? List.of() : endpoint.getAddresses();
      for (int a = 0; a < addresses.size(); a++) {
        Optional<IpAddress> ip = IpAddress.tryParse(addresses.get(a));
        if (ip.isEmpty()) {
          findings.add(new Finding(sliceField + ".endpoints[" + e + "].addresses[" + a + "]", addresses.get(a),
              "must be an IP address (Go net.ParseIP syntax)"));
          continue;
        }
        Map<String, L4Addr> byName = ports.computeIfAbsent(ip.get(), any -> new TreeMap<>());
        slicePorts.forEach(byName::putIfAbsent);
        hostname(endpoint).ifPresent(hostname -> hostnames.putIfAbsent(ip.get(), hostname));
        zone(endpoint).ifPresent(zone -> zones.putIfAbsent(ip.get(), zone));
      }
    }
  }

  private static boolean belongsTo(EndpointSlice slice, String namespace, String serviceName) {
    ObjectMeta meta = slice.getMetadata();
    return meta != null && namespace.equals(meta.getNamespace()) && meta.getLabels() != null
        && serviceName.equals(meta.getLabels().get(ServiceConverter.SERVICE_NAME_LABEL));
  }

  /** Cilium's {@code parseEndpointPortV1}: TCP when unset; other protocols and missing numbers dropped. */
  private static Map<String, L4Addr> ports(List<EndpointPort> endpointPorts) {
    Map<String, L4Addr> byName = new TreeMap<>();
    for (EndpointPort port : endpointPorts == null ? List.<EndpointPort>of() : endpointPorts) {
      String protocol = port.getProtocol() == null ? ServiceConverter.DEFAULT_PROTOCOL : port.getProtocol();
      Integer number = port.getPort();
      if (ServiceConverter.PROTOCOLS.contains(protocol) && number != null && number >= 0 && number <= 65_535) {
        byName.putIfAbsent(Objects.toString(port.getName(), ""), new L4Addr(protocol, number));
      }
    }
    return byName;
  }

  /**
   * Ready or serving, an unset condition counting as true: Kubernetes documents an unset
   * {@code ready} as "interpret as ready", and Cilium's {@code ParseEndpointConditionsV1} reads an
   * unset {@code serving} the same way. Serving matters for terminating pods: not ready any more,
   * still able to finish their work.
   */
  static boolean readyOrServing(EndpointConditions conditions) {
    if (conditions == null) {
      return true;
    }
    return !Boolean.FALSE.equals(conditions.getReady()) || !Boolean.FALSE.equals(conditions.getServing());
  }

  private static Optional<String> hostname(Endpoint endpoint) {
    return Optional.ofNullable(endpoint.getHostname()).filter(hostname -> !hostname.isEmpty());
  }

  /** {@code zone} (or the deprecated topology label) with the zones the hints name; none without a zone. */
  private static Optional<BackendZone> zone(Endpoint endpoint) {
    String zone = endpoint.getZone();
    if ((zone == null || zone.isEmpty()) && endpoint.getDeprecatedTopology() != null) {
      zone = endpoint.getDeprecatedTopology().get(DEPRECATED_ZONE_TOPOLOGY);
    }
    if (zone == null || zone.isEmpty()) {
      return Optional.empty();
    }
    List<String> forZones = new ArrayList<>();
    if (endpoint.getHints() != null && endpoint.getHints().getForZones() != null) {
      for (ForZone forZone : endpoint.getHints().getForZones()) {
        forZones.add(Objects.toString(forZone.getName(), ""));
      }
    }
    return Optional.of(new BackendZone(zone, forZones));
  }
}
