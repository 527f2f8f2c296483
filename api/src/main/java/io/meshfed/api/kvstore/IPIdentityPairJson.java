package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.GoJsonReader.BadValue;
import io.meshfed.api.kvstore.GoJsonReader.Obj;
import java.util.List;

/** JSON codec of {@link IPIdentityPair}; field names and order follow Cilium's Go struct tags. */
final class IPIdentityPairJson {

    private IPIdentityPairJson() {
    }

    static byte[] encode(IPIdentityPair pair) {
        return GoJsonWriter.write(out -> {
            out.startObject();
            out.ipField("IP", pair.ip());
            out.name("Mask"); // no omitempty in Cilium: a host entry says "Mask": null
            if (pair.mask() == null) {
                out.nullValue();
            } else {
                out.string(pair.mask().toBase64());
            }
            out.ipField("HostIP", pair.hostIp());
            out.numberField("ID", pair.identity());
            out.numberField("Key", pair.encryptionKey());
            out.stringField("Metadata", pair.metadata());
            if (!pair.k8sNamespace().isEmpty()) {
                out.stringField("K8sNamespace", pair.k8sNamespace());
            }
            if (!pair.k8sPodName().isEmpty()) {
                out.stringField("K8sPodName", pair.k8sPodName());
            }
            if (!pair.k8sServiceAccount().isEmpty()) {
                out.stringField("K8sServiceAccount", pair.k8sServiceAccount());
            }
            if (!pair.namedPorts().isEmpty()) {
                out.name("NamedPorts");
                out.startArray();
                for (NamedPort port : pair.namedPorts()) {
                    out.startObject();
                    out.stringField("Name", port.name());
                    out.numberField("Port", port.port());
                    out.stringField("Protocol", port.protocol());
                    out.endObject();
                }
                out.endArray();
            }
            out.endObject();
        });
    }

    static ReadResult<IPIdentityPair> decode(byte[] json) {
        try {
            Obj root = GoJsonReader.parseObject(json, "ipcache entry");
            IpAddress ip = root.ip("IP").orElseThrow(() -> new BadValue("IP", null,
                    "must be set (Cilium skips entries without an IP)"));
            List<NamedPort> namedPorts = root.list("NamedPorts", GoJsonReader.struct(IPIdentityPairJson::readNamedPort));
            return ReadResult.accepted(new IPIdentityPair(
                    ip,
                    root.mask("Mask").orElse(null),
                    root.ip("HostIP").orElse(null),
                    root.unsigned("ID", NumericIdentities.MAX_UINT32),
                    (int) root.unsigned("Key", 255),
                    root.string("Metadata"),
                    root.string("K8sNamespace"),
                    root.string("K8sPodName"),
                    root.string("K8sServiceAccount"),
                    namedPorts));
        } catch (BadValue bad) {
            return ReadResult.refused(bad.finding());
        } catch (InvalidValueException inconsistent) {
            return ReadResult.refused(inconsistent.finding());
        }
    }

    private static NamedPort readNamedPort(Obj port) throws BadValue {
        return new NamedPort(port.string("Name"), (int) port.unsigned("Port", 65535), port.string("Protocol"));
    }
}
