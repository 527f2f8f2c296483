package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.Findings;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.ClusterDataValidator;
import io.meshfed.api.kvstore.IPIdentityPair;
import io.meshfed.api.kvstore.IpAddress;
import io.meshfed.api.kvstore.NamedPort;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.controller.sync.convert.UntypedFields.BadField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * CiliumEndpoint ({@code cilium.io/v2}) → one {@code cilium/cache/ip/v1/<c>/<ip>} per address,
 * valued with the {@link IPIdentityPair} JSON of spec 2.3.
 *
 * <p>Field mapping (CRD {@code ciliumendpoints.yaml}; Cilium {@code clustermesh-apiserver/
 * clustermesh/converters.go ciliumEndpointMapper}):
 * <table>
 *   <caption>CiliumEndpoint → IPIdentityPair</caption>
 *   <tr><th>JSON</th><th>from</th></tr>
 *   <tr><td>IP (and the key)</td><td>every non-empty {@code status.networking.addressing[].ipv4} and
 *       {@code .ipv6}; a duplicate address yields one entry</td></tr>
 *   <tr><td>HostIP</td><td>{@code status.networking.node} ({@code ""} when absent)</td></tr>
 *   <tr><td>ID</td><td>{@code status.identity.id}</td></tr>
 *   <tr><td>Key</td><td>{@code status.encryption.key}, 0 when absent</td></tr>
 *   <tr><td>K8sNamespace, K8sPodName</td><td>{@code metadata.namespace}, {@code metadata.name}</td></tr>
 *   <tr><td>K8sServiceAccount</td><td>{@code status.service-account}, else the
 *       {@code k8s:io.cilium.k8s.policy.serviceaccount=<sa>} entry of {@code status.identity.labels},
 *       else omitted</td></tr>
 *   <tr><td>NamedPorts</td><td>{@code status.named-ports[]} ({@code name}, {@code port},
 *       {@code protocol})</td></tr>
 * </table>
 * Cilium's own converter reads {@code status.service-account} (upstream CRD); older CRDs, like
 * the one in {@code shared/cilium/crds}, lack it, so the identity's service-account label is the
 * fallback: it is the same value, since Cilium derives that label from the pod's account.
 *
 * <p>Refused (nothing is written for the endpoint):
 * <ul>
 *   <li>no identity, or identity 0 ("unknown"): Cilium would publish ID 0 and remote agents would
 *       treat the pod's traffic as unknown; the endpoint is not ready for the mesh yet;</li>
 *   <li>an identity outside the member's range that is not reserved/well-known (below 256);
 *       spec 1.5 item 8, {@code WithIdentityValidator}; reserved identities such as 1 (host) or
 *       the well-known kube-dns 102 are accepted;</li>
 *   <li>an address or node IP Go's {@code net.ParseIP} would not accept (Cilium would write a
 *       broken {@code "IP": ""} entry), an encryption key or named port outside its Go type.</li>
 * </ul>
 * An endpoint without any address yields no entries and no refusal, as in Cilium: it is being
 * created and has nothing to publish yet, whatever its identity.
 *
 * <p>Which endpoint wins when two claim the same IP is not decided here but by
 * {@link IpOwnership}.
 */
public final class EndpointConverter {

  /** The identity label that names the pod's service account. */
  static final String SERVICE_ACCOUNT_LABEL_PREFIX = "k8s:io.cilium.k8s.policy.serviceaccount=";

  private static final long MAX_UINT8 = 255;
  private static final long MAX_UINT16 = 65_535;

  private final MemberCluster member;

  /** A converter for the endpoints of {@code member}. */
  public EndpointConverter(MemberCluster member) {
    this.member = Objects.requireNonNull(member, "member");
  }

  /** Converts one CiliumEndpoint. */
  public EndpointConversion convert(GenericKubernetesResource endpoint) {
    ObjectMeta meta = endpoint.getMetadata() == null ? new ObjectMeta() : endpoint.getMetadata();
    EndpointRef ref = new EndpointRef(Objects.toString(meta.getNamespace(), ""), Objects.toString(meta.getName(), ""));
    if (ref.name().isEmpty() || ref.namespace().isEmpty()) {
      return EndpointConversion.refused(ref, Conversion.Refused.of(Finding.of(
          ref.name().isEmpty() ? "metadata.name" : "metadata.namespace", "must be set on a CiliumEndpoint")));
    }
    try {
      return convert(ref, UntypedFields.root(endpoint.getAdditionalProperties()).object("status"));
    } catch (BadField bad) {
      return EndpointConversion.refused(ref, Conversion.Refused.of(bad.finding()));
    }
  }

  private EndpointConversion convert(EndpointRef ref, UntypedFields status) throws BadField {
    Findings findings = new Findings();
    UntypedFields networking = status.object("networking");
    List<IpAddress> addresses = addresses(networking, findings);
    if (addresses.isEmpty() && findings.isEmpty()) {
      return EndpointConversion.entries(ref, Map.of());
    }
    long identity = identity(status.object("identity"), findings);
    IpAddress hostIp = optionalIp(networking, "node", findings);
    int encryptionKey = (int) status.object("encryption").integer("key", 0, MAX_UINT8, 0);
    String serviceAccount = serviceAccount(status);
    List<NamedPort> namedPorts = namedPorts(status);
    if (!findings.isEmpty()) {
      return EndpointConversion.refused(ref, new Conversion.Refused(findings.all()));
    }

    ClusterDataValidator validator = member.validator();
    Map<IpAddress, KeyValue> entries = new LinkedHashMap<>();
    for (IpAddress ip : addresses) {
      IPIdentityPair pair = IPIdentityPair.endpoint(ip, hostIp, identity, encryptionKey, ref.namespace(), ref.name(),
          serviceAccount, namedPorts);
      // Already checked above; the validator is the agent's own rule, kept as the last word.
      ReadResult<IPIdentityPair> checked = validator.checkIpcacheEntry(pair.keyName(), pair);
      if (checked instanceof ReadResult.Refused<IPIdentityPair> refused) {
        return EndpointConversion.refused(ref, Conversion.Refused.of(refused.finding()));
      }
      entries.put(ip, new KeyValue(CacheKeys.ip(member.name(), pair), pair.toJson()));
    }
    return EndpointConversion.entries(ref, entries);
  }

  /** Every parsable address, deduplicated in order; each unparsable one becomes a finding. */
  private static List<IpAddress> addresses(UntypedFields networking, Findings findings) throws BadField {
    List<IpAddress> addresses = new ArrayList<>();
    for (UntypedFields pair : networking.objects("addressing")) {
      for (String family : List.of("ipv4", "ipv6")) {
        String text = pair.stringOrEmpty(family);
        if (text.isEmpty()) {
          continue;
        }
        Optional<IpAddress> ip = IpAddress.tryParse(text);
        if (ip.isEmpty()) {
          findings.add(new Finding(pair.pathOf(family), text, "must be an IP address (Go net.ParseIP syntax)"));
        } else if (!addresses.contains(ip.get())) {
          addresses.add(ip.get());
        }
      }
    }
    return addresses;
  }

  private long identity(UntypedFields identity, Findings findings) throws BadField {
    String field = identity.pathOf("id");
    OptionalLong id = identity.integer("id");
    if (id.isEmpty() || id.getAsLong() == 0) {
      findings.add(new Finding(field, id.isEmpty() ? null : "0",
          "must be set: an endpoint without a security identity is not published (it is still being created)"));
      return 0;
    }
    long value = id.getAsLong();
    if (!NumericIdentities.isUint32(value)
        || !member.maxConnectedClusters().isAcceptedInIpcache(member.id().value(), value)) {
      findings.add(new Finding(field, Long.toString(value), "must be below 256 (reserved) or in "
          + member.id().identityRange() + ", the range of cluster ID " + member.id() + " with max-connected-clusters "
          + member.maxConnectedClusters() + " (spec 1.5 item 8, 3.3)"));
    }
    return value;
  }

  private static IpAddress optionalIp(UntypedFields object, String name, Findings findings) throws BadField {
    String text = object.stringOrEmpty(name);
    if (text.isEmpty()) {
      return null;
    }
    Optional<IpAddress> ip = IpAddress.tryParse(text);
    if (ip.isEmpty()) {
      findings.add(new Finding(object.pathOf(name), text, "must be an IP address (Go net.ParseIP syntax)"));
      return null;
    }
    return ip.get();
  }

  private static String serviceAccount(UntypedFields status) throws BadField {
    String direct = status.stringOrEmpty("service-account");
    if (!direct.isEmpty()) {
      return direct;
    }
    for (String label : status.object("identity").strings("labels")) {
      if (label.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX)) {
        return label.substring(SERVICE_ACCOUNT_LABEL_PREFIX.length());
      }
    }
    return "";
  }

  private static List<NamedPort> namedPorts(UntypedFields status) throws BadField {
    List<NamedPort> ports = new ArrayList<>();
    for (UntypedFields port : status.objects("named-ports")) {
      ports.add(new NamedPort(port.stringOrEmpty("name"), (int) port.integer("port", 0, MAX_UINT16, 0),
          port.stringOrEmpty("protocol")));
    }
    return ports;
  }
}
