package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.GoJsonReader.BadValue;
import io.meshfed.api.kvstore.GoJsonReader.Obj;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** JSON codec of {@link ClusterService}; field names and order follow Cilium's Go struct tags. */
final class ClusterServiceJson {

    private ClusterServiceJson() {
    }

    static byte[] encode(ClusterService service) {
        return GoJsonWriter.write(out -> {
            out.startObject();
            out.stringField("cluster", service.cluster());
            out.stringField("namespace", service.namespace());
            out.stringField("name", service.name());
            out.name("frontends");
            writePortsByAddress(out, service.frontends());
            out.name("backends");
            writePortsByAddress(out, service.backends());
            if (!service.hostnames().isEmpty()) { // omitempty
                out.name("hostnames");
                out.stringMap(service.hostnames());
            }
            if (!service.zones().isEmpty()) { // omitempty
                out.name("zones");
                writeZones(out, service.zones());
            }
            out.name("labels");
            out.stringMap(service.labels());
            out.name("selector");
            out.stringMap(service.selector());
            out.boolField("includeExternal", service.includeExternal());
            out.boolField("shared", service.shared());
            out.numberField("clusterID", service.clusterId());
            out.endObject();
        });
    }

    private static void writePortsByAddress(GoJsonWriter out, Map<String, PortConfiguration> byAddress)
            throws IOException {
        out.startObject();
        for (Map.Entry<String, PortConfiguration> address : byAddress.entrySet()) {
            out.name(address.getKey());
            out.startObject();
            for (Map.Entry<String, L4Addr> port : address.getValue().ports().entrySet()) {
                out.name(port.getKey());
                out.startObject();
                out.stringField("Protocol", port.getValue().protocol());
                out.numberField("Port", port.getValue().port());
                out.endObject();
            }
            out.endObject();
        }
        out.endObject();
    }

    private static void writeZones(GoJsonWriter out, Map<String, BackendZone> zones) throws IOException {
        out.startObject();
        for (Map.Entry<String, BackendZone> entry : zones.entrySet()) {
            out.name(entry.getKey());
            out.startObject();
            out.stringField("zone", entry.getValue().zone());
            out.name("forZones");
            out.startArray();
            for (String forZone : entry.getValue().forZones()) {
                out.startObject();
                out.stringField("name", forZone);
                out.endObject();
            }
            out.endArray();
            out.endObject();
        }
        out.endObject();
    }

    static ReadResult<ClusterService> decode(byte[] json) {
        try {
            Obj root = GoJsonReader.parseObject(json, "service");
            return ReadResult.accepted(new ClusterService(
                    root.string("cluster"),
                    root.string("namespace"),
                    root.string("name"),
                    root.map("frontends", GoJsonReader.struct(ClusterServiceJson::readPorts)),
                    root.map("backends", GoJsonReader.struct(ClusterServiceJson::readPorts)),
                    root.stringMap("hostnames"),
                    root.map("zones", GoJsonReader.struct(ClusterServiceJson::readZone)),
                    root.stringMap("labels"),
                    root.stringMap("selector"),
                    root.bool("includeExternal"),
                    root.bool("shared"),
                    root.unsigned("clusterID", NumericIdentities.MAX_UINT32)));
        } catch (BadValue bad) {
            return ReadResult.refused(bad.finding());
        } catch (InvalidValueException inconsistent) {
            return ReadResult.refused(inconsistent.finding());
        }
    }

    private static PortConfiguration readPorts(Obj ports) throws BadValue {
        return new PortConfiguration(ports.entries(GoJsonReader.struct(ClusterServiceJson::readL4Addr)));
    }

    private static L4Addr readL4Addr(Obj port) throws BadValue {
        String protocol = port.string("Protocol");
        long number = port.unsigned("Port", 65535);
        try {
            return new L4Addr(protocol, (int) number);
        } catch (InvalidValueException invalid) {
            throw new BadValue(port.pathOf(invalid.field()), invalid.value(), invalid.rule());
        }
    }

    private static BackendZone readZone(Obj zone) throws BadValue {
        List<String> forZones = zone.list("forZones", GoJsonReader.struct(forZone -> forZone.string("name")));
        return new BackendZone(zone.string("zone"), forZones);
    }
}
