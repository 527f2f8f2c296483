package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.Findings;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CiliumNode;
import io.meshfed.api.kvstore.IpAddress;
import io.meshfed.api.kvstore.IpNet;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.controller.sync.convert.UntypedFields.BadField;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * CiliumNode ({@code cilium.io/v2}) → {@code cilium/cache/nodes/v1/<c>/<name>}, valued with the
 * Node JSON of spec 2.4, which remote agents use for tunnel endpoints, pod CIDR routes, health
 * checks and encryption.
 *
 * <p>Field mapping (CRD {@code ciliumnodes.yaml}; Cilium {@code pkg/node/types/node.go
 * ParseCiliumNode}, called by the clustermesh-apiserver's {@code CiliumNodeConverter}):
 * <table>
 *   <caption>CiliumNode → Node</caption>
 *   <tr><th>JSON</th><th>from</th></tr>
 *   <tr><td>Name</td><td>{@code metadata.name}</td></tr>
 *   <tr><td>Cluster, ClusterID</td><td>the member (never the object: Cilium overrides both)</td></tr>
 *   <tr><td>IPAddresses</td><td>{@code spec.addresses[]} ({@code type}, {@code ip}), in order</td></tr>
 *   <tr><td>IPv4/IPv6AllocCIDR, …SecondaryAllocCIDRs</td><td>{@code spec.ipam.podCIDRs[]}, then
 *       {@code spec.ipam.pools.allocated[].cidrs[]} (multi-pool IPAM, as Cilium); the first of each
 *       family is primary, the rest secondary</td></tr>
 *   <tr><td>IPv4/IPv6HealthIP</td><td>{@code spec.health.ipv4}, {@code .ipv6}</td></tr>
 *   <tr><td>IPv4/IPv6IngressIP</td><td>{@code spec.ingress.ipv4}, {@code .ipv6}</td></tr>
 *   <tr><td>Source</td><td>{@code custom-resource}</td></tr>
 *   <tr><td>EncryptionKey</td><td>{@code spec.encryption.key}, 0 when absent</td></tr>
 *   <tr><td>Labels, Annotations</td><td>{@code metadata.labels}, {@code metadata.annotations}
 *       (all of them, as Cilium; {@code null} when none)</td></tr>
 *   <tr><td>NodeIdentity</td><td>{@code spec.nodeidentity}, 0 when absent</td></tr>
 *   <tr><td>WireguardPubKey</td><td>annotation {@code network.cilium.io/wg-pub-key}, else its
 *       alias {@code io.cilium.network.wg-pub-key}</td></tr>
 *   <tr><td>BootID</td><td>{@code spec.bootid}</td></tr>
 * </table>
 *
 * <p>Refused where Cilium is lenient: Cilium silently drops an address, CIDR or health/ingress
 * IP it cannot parse (or of the wrong family), which leaves remote agents without a route or
 * tunnel endpoint and nobody the wiser. meshfed refuses the node instead, naming the field, so
 * the problem shows up in the member's sync status.
 */
public final class NodeConverter {

  /** Where a node's WireGuard public key lives, and the pre-1.14 alias Cilium still reads. */
  static final String WIREGUARD_PUB_KEY = "network.cilium.io/wg-pub-key";
  static final String WIREGUARD_PUB_KEY_ALIAS = "io.cilium.network.wg-pub-key";

  private static final long MAX_UINT8 = 255;

  private final MemberCluster member;

  /** A converter for the nodes of {@code member}. */
  public NodeConverter(MemberCluster member) {
    this.member = Objects.requireNonNull(member, "member");
  }

  /** Converts one CiliumNode. */
  public Conversion convert(GenericKubernetesResource ciliumNode) {
    ObjectMeta meta = ciliumNode.getMetadata() == null ? new ObjectMeta() : ciliumNode.getMetadata();
    String name = Objects.toString(meta.getName(), "");
    String key;
    try {
      key = CacheKeys.node(member.name(), name);
    } catch (InvalidValueException badName) {
      return Conversion.Refused.of(new Finding("metadata.name", name, badName.rule()));
    }
    try {
      Findings findings = new Findings();
      CiliumNode node = build(name, meta, UntypedFields.root(ciliumNode.getAdditionalProperties()).object("spec"),
          findings);
      if (!findings.isEmpty()) {
        return new Conversion.Refused(findings.all());
      }
      ReadResult<CiliumNode> checked = member.validator().checkNode(name, node);
      if (checked instanceof ReadResult.Refused<CiliumNode> refused) {
        return Conversion.Refused.of(refused.finding());
      }
      return new Conversion.Entries(List.of(new KeyValue(key, node.toJson())));
    } catch (BadField bad) {
      return Conversion.Refused.of(bad.finding());
    }
  }

  private CiliumNode build(String name, ObjectMeta meta, UntypedFields spec, Findings findings) throws BadField {
    CiliumNode.Builder node = CiliumNode.builder(name, member.name(), member.id());
    for (UntypedFields address : spec.objects("addresses")) {
      String text = address.stringOrEmpty("ip");
      Optional<IpAddress> ip = IpAddress.tryParse(text);
      if (ip.isEmpty()) {
        findings.add(new Finding(address.pathOf("ip"), text, "must be an IP address (Go net.ParseIP syntax)"));
      } else {
        node.address(address.stringOrEmpty("type"), ip.get());
      }
    }
    UntypedFields ipam = spec.object("ipam");
    addPodCidrs(node, ipam, "podCIDRs", findings);
    for (UntypedFields pool : ipam.object("pools").objects("allocated")) {
      addPodCidrs(node, pool, "cidrs", findings);
    }
    UntypedFields health = spec.object("health");
    node.healthIps(familyIp(health, "ipv4", true, findings), familyIp(health, "ipv6", false, findings));
    UntypedFields ingress = spec.object("ingress");
    node.ingressIps(familyIp(ingress, "ipv4", true, findings), familyIp(ingress, "ipv6", false, findings));
    node.encryptionKey((int) spec.object("encryption").integer("key", 0, MAX_UINT8, 0));
    node.nodeIdentity(spec.integer("nodeidentity", 0, NumericIdentities.MAX_UINT32, 0));
    node.bootId(spec.stringOrEmpty("bootid"));
    Map<String, String> labels = UntypedFields.checkedStringMap("metadata.labels", meta.getLabels());
    Map<String, String> annotations = UntypedFields.checkedStringMap("metadata.annotations", meta.getAnnotations());
    node.labels(labels).annotations(annotations).wireguardPubKey(wireguardPubKey(annotations));
    return node.build();
  }

  private static void addPodCidrs(CiliumNode.Builder node, UntypedFields parent, String name, Findings findings)
      throws BadField {
    List<String> cidrs = parent.strings(name);
    for (int i = 0; i < cidrs.size(); i++) {
      Optional<IpNet> cidr = IpNet.tryParseCidr(cidrs.get(i));
      if (cidr.isEmpty()) {
        findings.add(new Finding(parent.pathOf(name) + "[" + i + "]", cidrs.get(i),
            "must be a CIDR such as 10.244.0.0/24 or fd00:10:244::/64"));
      } else {
        node.podCidr(cidr.get());
      }
    }
  }

  /** An optional IP that must be of one family, as Cilium's {@code ToV4Addr}/{@code ToV6Addr} expect. */
  private static IpAddress familyIp(UntypedFields parent, String name, boolean ipv4, Findings findings)
      throws BadField {
    String text = parent.stringOrEmpty(name);
    if (text.isEmpty()) {
      return null;
    }
    Optional<IpAddress> ip = IpAddress.tryParse(text);
    if (ip.isEmpty() || ip.get().isIpv4() != ipv4) {
      findings.add(new Finding(parent.pathOf(name), text, "must be an " + (ipv4 ? "IPv4" : "IPv6") + " address"));
      return null;
    }
    return ip.get();
  }

  /** Cilium's {@code annotation.Get}: the current name wins when present, even if empty. */
  private static String wireguardPubKey(Map<String, String> annotations) {
    if (annotations.containsKey(WIREGUARD_PUB_KEY)) {
      return Objects.toString(annotations.get(WIREGUARD_PUB_KEY), "");
    }
    return Objects.toString(annotations.get(WIREGUARD_PUB_KEY_ALIAS), "");
  }
}
