package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.GoJsonReader.BadValue;
import io.meshfed.api.kvstore.GoJsonReader.Obj;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** JSON codec of {@link CiliumNode}; keys are the Go field names of {@code nodeTypes.Node}, in order. */
final class CiliumNodeJson {

    private CiliumNodeJson() {
    }

    static byte[] encode(CiliumNode node) {
        return GoJsonWriter.write(out -> {
            out.startObject();
            out.stringField("Name", node.name());
            out.stringField("Cluster", node.cluster());
            out.name("IPAddresses");
            writeAddresses(out, node.ipAddresses());
            out.name("IPv4AllocCIDR");
            writeCidr(out, node.ipv4AllocCidr());
            out.name("IPv4SecondaryAllocCIDRs");
            writeCidrs(out, node.ipv4SecondaryAllocCidrs());
            out.name("IPv6AllocCIDR");
            writeCidr(out, node.ipv6AllocCidr());
            out.name("IPv6SecondaryAllocCIDRs");
            writeCidrs(out, node.ipv6SecondaryAllocCidrs());
            out.ipField("IPv4HealthIP", node.ipv4HealthIp());
            out.ipField("IPv6HealthIP", node.ipv6HealthIp());
            out.ipField("IPv4IngressIP", node.ipv4IngressIp());
            out.ipField("IPv6IngressIP", node.ipv6IngressIp());
            out.numberField("ClusterID", node.clusterId());
            out.stringField("Source", node.source());
            out.numberField("EncryptionKey", node.encryptionKey());
            out.name("Labels");
            writeNilableMap(out, node.labels());
            out.name("Annotations");
            writeNilableMap(out, node.annotations());
            out.numberField("NodeIdentity", node.nodeIdentity());
            out.stringField("WireguardPubKey", node.wireguardPubKey());
            out.stringField("BootID", node.bootId());
            out.endObject();
        });
    }

    private static void writeAddresses(GoJsonWriter out, List<NodeAddress> addresses) throws IOException {
        if (addresses.isEmpty()) {
            out.nullValue(); // nil slice in Go
            return;
        }
        out.startArray();
        for (NodeAddress address : addresses) {
            out.startObject();
            out.stringField("Type", address.type());
            out.ipField("IP", address.ip());
            out.endObject();
        }
        out.endArray();
    }

    private static void writeCidr(GoJsonWriter out, IpNet cidr) throws IOException {
        if (cidr == null) {
            out.nullValue();
            return;
        }
        out.startObject();
        out.ipField("IP", cidr.ip());
        out.stringField("Mask", cidr.mask().toBase64());
        out.endObject();
    }

    private static void writeCidrs(GoJsonWriter out, List<IpNet> cidrs) throws IOException {
        if (cidrs.isEmpty()) {
            out.nullValue(); // nil slice in Go
            return;
        }
        out.startArray();
        for (IpNet cidr : cidrs) {
            writeCidr(out, cidr);
        }
        out.endArray();
    }

    private static void writeNilableMap(GoJsonWriter out, Map<String, String> map) throws IOException {
        if (map.isEmpty()) {
            out.nullValue(); // Cilium copies ObjectMeta maps, nil when the object has none
        } else {
            out.stringMap(map);
        }
    }

    static ReadResult<CiliumNode> decode(byte[] json) {
        try {
            Obj root = GoJsonReader.parseObject(json, "node");
            return ReadResult.accepted(new CiliumNode(
                    root.string("Name"),
                    root.string("Cluster"),
                    root.list("IPAddresses", GoJsonReader.struct(CiliumNodeJson::readAddress)),
                    readCidr(root, "IPv4AllocCIDR").orElse(null),
                    root.list("IPv4SecondaryAllocCIDRs", GoJsonReader.struct(CiliumNodeJson::readCidr)),
                    readCidr(root, "IPv6AllocCIDR").orElse(null),
                    root.list("IPv6SecondaryAllocCIDRs", GoJsonReader.struct(CiliumNodeJson::readCidr)),
                    root.ip("IPv4HealthIP").orElse(null),
                    root.ip("IPv6HealthIP").orElse(null),
                    root.ip("IPv4IngressIP").orElse(null),
                    root.ip("IPv6IngressIP").orElse(null),
                    root.unsigned("ClusterID", NumericIdentities.MAX_UINT32),
                    root.string("Source"),
                    (int) root.unsigned("EncryptionKey", 255),
                    root.stringMap("Labels"),
                    root.stringMap("Annotations"),
                    root.unsigned("NodeIdentity", NumericIdentities.MAX_UINT32),
                    root.string("WireguardPubKey"),
                    root.string("BootID")));
        } catch (BadValue bad) {
            return ReadResult.refused(bad.finding());
        } catch (InvalidValueException inconsistent) {
            return ReadResult.refused(inconsistent.finding());
        }
    }

    private static NodeAddress readAddress(Obj address) throws BadValue {
        IpAddress ip = address.ip("IP").orElseThrow(() -> new BadValue(address.pathOf("IP"), null, "must be set"));
        return new NodeAddress(address.string("Type"), ip);
    }

    private static Optional<IpNet> readCidr(Obj parent, String goName) throws BadValue {
        Optional<Obj> cidr = parent.object(goName);
        return cidr.isEmpty() ? Optional.empty() : Optional.of(readCidr(cidr.get()));
    }

    private static IpNet readCidr(Obj cidr) throws BadValue {
        IpAddress ip = cidr.ip("IP").orElseThrow(() -> new BadValue(cidr.pathOf("IP"), null, "must be set"));
        IpMask mask = cidr.mask("Mask").orElseThrow(() -> new BadValue(cidr.pathOf("Mask"), null, "must be set"));
        if (mask.bitLength() != ip.bitLength()) {
            throw new BadValue(cidr.pathOf("Mask"), mask.toBase64(), "must have the length of IP " + ip);
        }
        return new IpNet(ip, mask);
    }
}
