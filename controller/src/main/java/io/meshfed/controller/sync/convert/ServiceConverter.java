package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.Findings;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.ClusterService;
import io.meshfed.api.kvstore.IpAddress;
import io.meshfed.api.kvstore.L4Addr;
import io.meshfed.api.kvstore.PortConfiguration;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.controller.sync.convert.UntypedFields.BadField;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Service + its EndpointSlices → {@code cilium/cache/services/v1/<c>/<ns>/<name>}, valued with
 * the {@code ClusterService} JSON of spec 2.1, for global services only.
 *
 * <p>Exported only when the service is global <em>and</em> shared ({@link ServiceAnnotations});
 * otherwise the answer is {@link Conversion.NotExported}: the key must go, as Cilium's
 * {@code service_sync.go} deletes it. Cilium 1.20 also requires the namespace to be global
 * (spec 5.4); that needs Namespace objects, which this converter does not see, and Cilium's
 * default is that every namespace is global.
 *
 * <p>Mapping (Cilium {@code clustermesh-apiserver/clustermesh/service_sync.go Convert},
 * {@code pkg/k8s/endpoints.go ParseEndpointSliceV1}):
 * <ul>
 *   <li>{@code cluster}/{@code clusterID}: the member; {@code shared} and {@code includeExternal}
 *       true; {@code labels} and {@code selector}: the Service's;</li>
 *   <li>{@code frontends}: every {@code spec.clusterIPs} (or {@code spec.clusterIP} when the list is
 *       empty) with all {@code spec.ports} by name ({@code ""} for an unnamed port, protocol TCP
 *       when unset, as the API server defaults it); none for a headless service
 *       ({@code clusterIP: None} in any case, or label {@code service.kubernetes.io/headless});
 *       an empty cluster IP (ExternalName) gives no frontend;</li>
 *   <li>{@code backends}: the addresses of every endpoint that is ready <em>or</em> serving, where
 *       an unset condition counts as true (Kubernetes' and Cilium's reading); ports from the
 *       endpoint's slice, keyed by name, protocol TCP when unset; ports with another protocol or
 *       without a number are dropped (Cilium does the same); slices of address type FQDN are
 *       ignored;</li>
 *   <li>{@code hostnames}: {@code endpoint.hostname}; {@code zones}: {@code endpoint.zone} (or the
 *       deprecated topology label) with {@code hints.forZones}.</li>
 * </ul>
 * An address listed by several slices (the EndpointSlice controller splits endpoints by port
 * set) gets the union of their ports, visiting slices in name order; Cilium instead keeps
 * whichever slice its cache returns last, which is not deterministic. Slices that do not belong
 * to the service (other namespace or {@code kubernetes.io/service-name}) are ignored, so a
 * caller may pass all slices of the namespace.
 *
 * <p>{@code service.cilium.io/affinity} is parsed and returned for the merged view, but never
 * written: Cilium applies it on the consuming side only, and {@code ClusterService} has no such
 * field (spec 2.1, 5.2).
 *
 * <p>Refused: a cluster IP or backend address Go's {@code net.ParseIP} would not accept (a remote
 * agent drops the whole service for one such key, spec 2.1 reader validation), a service port
 * without number or with an unknown protocol.
 */
public final class ServiceConverter {

  /** The label tying an EndpointSlice to its Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** Set by Kubernetes on headless services; Cilium treats its presence as headless. */
  static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

  /** Protocols of Kubernetes ports that Cilium's load balancer takes over unchanged. */
  static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
  /** What the API server fills in when a port has no protocol. */
  static final String DEFAULT_PROTOCOL = "TCP";

  private final MemberCluster member;

  /** A converter for the services of {@code member}. */
  public ServiceConverter(MemberCluster member) {
    this.member = Objects.requireNonNull(member, "member");
  }

  /**
   * Converts a Service with its EndpointSlices.
   *
   * @param service        the Service
   * @param endpointSlices its EndpointSlices; others are ignored
   */
  public ServiceConversion convert(Service service, Collection<EndpointSlice> endpointSlices) {
    ObjectMeta meta = service.getMetadata() == null ? new ObjectMeta() : service.getMetadata();
    ServiceAnnotations annotations = ServiceAnnotations.read(meta.getAnnotations());
    String namespace = Objects.toString(meta.getNamespace(), "");
    String name = Objects.toString(meta.getName(), "");
    String key;
    try {
      key = CacheKeys.service(member.name(), namespace, name);
    } catch (InvalidValueException badName) {
      return refused(new Finding(namespace.isEmpty() ? "metadata.namespace" : "metadata.name",
          namespace.isEmpty() ? namespace : name, "must be set to a valid Kubernetes name"), annotations);
    }
    if (!annotations.exported()) {
      return new ServiceConversion(new Conversion.NotExported(key, notExportedReason(annotations)),
          Optional.empty(), annotations);
    }
    try {
      Findings findings = new Findings();
      ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
      ClusterService.Builder builder = ClusterService.exportedBy(member.name(), member.id(), namespace, name)
          .labels(UntypedFields.checkedStringMap("metadata.labels", meta.getLabels()))
          .selector(UntypedFields.checkedStringMap("spec.selector", spec.getSelector()));
      if (!isHeadless(meta, spec)) {
        addFrontends(builder, spec, findings);
      }
      ServiceBackends.of(namespace, name, endpointSlices, findings).addTo(builder);
      if (!findings.isEmpty()) {
        return new ServiceConversion(new Conversion.Refused(findings.all()), Optional.empty(), annotations);
      }
      ClusterService exported = builder.build();
      ReadResult<ClusterService> checked = member.validator().checkService(exported.keyName(), exported);
      if (checked instanceof ReadResult.Refused<ClusterService> refused) {
        return refused(refused.finding(), annotations);
      }
      return new ServiceConversion(new Conversion.Entries(List.of(new KeyValue(key, exported.toJson()))),
          Optional.of(exported), annotations);
    } catch (BadField bad) {
      return refused(bad.finding(), annotations);
    }
  }

  private static ServiceConversion refused(Finding finding, ServiceAnnotations annotations) {
    return new ServiceConversion(Conversion.Refused.of(finding), Optional.empty(), annotations);
  }

  private static String notExportedReason(ServiceAnnotations annotations) {
    return annotations.global()
        ? "global but not shared (" + ServiceAnnotations.SHARED + " is not \"true\"): remote backends are consumed,"
            + " local ones are not exported"
        : "not a global service (" + ServiceAnnotations.GLOBAL + " is not \"true\")";
  }

  /** Cilium's {@code isHeadless}: the headless label, or {@code clusterIP: None} in any case. */
  private static boolean isHeadless(ObjectMeta meta, ServiceSpec spec) {
    return (meta.getLabels() != null && meta.getLabels().containsKey(HEADLESS_LABEL))
        || "none".equalsIgnoreCase(spec.getClusterIP());
  }

  private static void addFrontends(ClusterService.Builder builder, ServiceSpec spec, Findings findings) {
    Map<String, L4Addr> ports = new TreeMap<>();
    List<ServicePort> servicePorts = spec.getPorts() == null ? List.of() : spec.getPorts();
    for (int i = 0; i < servicePorts.size(); i++) {
      ServicePort servicePort = servicePorts.get(i);
      frontendPort(servicePort, "spec.ports[" + i + "]", findings)
          .ifPresent(port -> ports.put(Objects.toString(servicePort.getName(), ""), port));
    }
    PortConfiguration portConfiguration = new PortConfiguration(ports);
    boolean fromList = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty();
    List<String> clusterIps = fromList ? spec.getClusterIPs() : singletonOrEmpty(spec.getClusterIP());
    for (int i = 0; i < clusterIps.size(); i++) {
      String text = clusterIps.get(i);
      if (text == null || text.isEmpty() || "none".equalsIgnoreCase(text)) {
        continue;
      }
      Optional<IpAddress> ip = IpAddress.tryParse(text);
      if (ip.isEmpty()) {
        findings.add(new Finding(fromList ? "spec.clusterIPs[" + i + "]" : "spec.clusterIP", text,
            "must be an IP address (Go net.ParseIP syntax)"));
      } else {
        builder.frontend(ip.get(), portConfiguration);
      }
    }
  }

  private static List<String> singletonOrEmpty(String value) {
    return value == null ? List.of() : List.of(value);
  }

  private static Optional<L4Addr> frontendPort(ServicePort port, String field, Findings findings) {
    String protocol = port.getProtocol() == null || port.getProtocol().isEmpty() ? DEFAULT_PROTOCOL : port.getProtocol();
    if (!PROTOCOLS.contains(protocol)) {
      findings.add(new Finding(field + ".protocol", protocol, "must be TCP, UDP or SCTP"));
      return Optional.empty();
    }
    if (port.getPort() == null || port.getPort() < 0 || port.getPort() > 65_535) {
      findings.add(new Finding(field + ".port", Objects.toString(port.getPort(), null), "must be between 0 and 65535"));
      return Optional.empty();
    }
    return Optional.of(new L4Addr(protocol, port.getPort()));
  }
}
