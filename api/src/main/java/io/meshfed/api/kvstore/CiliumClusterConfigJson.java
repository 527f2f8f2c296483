package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import io.meshfed.api.kvstore.CiliumClusterConfig.Capabilities;
import io.meshfed.api.kvstore.CiliumClusterConfig.ServiceExports;
import io.meshfed.api.kvstore.GoJsonReader.BadValue;
import io.meshfed.api.kvstore.GoJsonReader.Obj;
import java.util.Optional;

/** JSON codec of {@link CiliumClusterConfig}; every field is {@code omitempty} except {@code capabilities}. */
final class CiliumClusterConfigJson {

    private CiliumClusterConfigJson() {
    }

    static byte[] encode(CiliumClusterConfig config) {
        Capabilities caps = config.capabilities();
        return GoJsonWriter.write(out -> {
            out.startObject();
            if (config.id() != 0) {
                out.numberField("id", config.id());
            }
            out.name("capabilities");
            out.startObject();
            if (caps.syncedCanaries()) {
                out.boolField("syncedCanaries", true);
            }
            if (caps.cached()) {
                out.boolField("cached", true);
            }
            if (caps.maxConnectedClusters() != 0) {
                out.numberField("maxConnectedClusters", caps.maxConnectedClusters());
            }
            if (caps.serviceExports() != ServiceExports.NOT_SUPPORTED) {
                out.boolField("serviceExportsEnabled", caps.serviceExports() == ServiceExports.ENABLED);
            }
            if (!caps.endpointSlicesExportMode().isEmpty()) {
                out.stringField("endpointSlicesExportMode", caps.endpointSlicesExportMode());
            }
            out.endObject();
            out.endObject();
        });
    }

    static ReadResult<CiliumClusterConfig> decode(byte[] json) {
        try {
            Obj root = GoJsonReader.parseObject(json, "cluster config");
            long id = root.unsigned("id", NumericIdentities.MAX_UINT32);
            Optional<Obj> caps = root.object("capabilities");
            Capabilities capabilities = caps.isPresent()
                    ? readCapabilities(caps.get())
                    : new Capabilities(false, false, 0, ServiceExports.NOT_SUPPORTED, "");
            return ReadResult.accepted(new CiliumClusterConfig(id, capabilities));
        } catch (BadValue bad) {
            return ReadResult.refused(bad.finding());
        } catch (InvalidValueException inconsistent) {
            return ReadResult.refused(inconsistent.finding());
        }
    }

    private static Capabilities readCapabilities(Obj caps) throws BadValue {
        Optional<Boolean> exports = caps.optionalBool("serviceExportsEnabled");
        ServiceExports serviceExports = exports.isEmpty()
                ? ServiceExports.NOT_SUPPORTED
                : exports.get() ? ServiceExports.ENABLED : ServiceExports.DISABLED;
        return new Capabilities(
                caps.bool("syncedCanaries"),
                caps.bool("cached"),
                caps.unsigned("maxConnectedClusters", NumericIdentities.MAX_UINT32),
                serviceExports,
                caps.string("endpointSlicesExportMode"));
    }
}
