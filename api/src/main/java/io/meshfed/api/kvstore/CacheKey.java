package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import java.util.Objects;

/**
 * A KVStoreMesh cache key taken apart: {@code cilium/cache/<type>/v1/<cluster>/<name>}.
 *
 * <p>Usually obtained from {@link CacheKeys#parse}. The name always has the shape of its type
 * (checked on construction): {@code id/<ID>} for identities, a canonical IP or {@code IP/len}
 * for ipcache entries, one segment for nodes, {@code <ns>/<name>} for services and service
 * exports.
 *
 * @param type    the data kind
 * @param cluster the cluster segment
 * @param name    everything after the cluster segment
 */
public record CacheKey(CacheType type, ClusterName cluster, String name) {

    /**
     * Requires every part and a name of the type's shape.
     *
     * @throws InvalidValueException naming field {@code key} when the name has the wrong shape
     */
    public CacheKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(name, "name");
        String shapeProblem = CacheKeyParser.nameProblem(type, name).orElse(null);
        if (shapeProblem != null) {
            throw new InvalidValueException("key", type.prefix(cluster) + name, shapeProblem);
        }
    }

    /** The full key. */
    public String key() {
        return CacheKeys.joinKey(type.prefix(cluster), name);
    }

    /**
     * The numeric identity of an identities key.
     *
     * @throws IllegalStateException for other kinds
     */
    public long identity() {
        requireType(CacheType.IDENTITIES);
        return Long.parseLong(name.substring(name.indexOf('/') + 1));
    }

    /**
     * The namespace of a services or serviceexports key.
     *
     * @throws IllegalStateException for other kinds
     */
    public String namespace() {
        requireNamespaced();
        return name.substring(0, name.indexOf('/'));
    }

    /**
     * The service name of a services or serviceexports key.
     *
     * @throws IllegalStateException for other kinds
     */
    public String serviceName() {
        requireNamespaced();
        return name.substring(name.indexOf('/') + 1);
    }

    private void requireNamespaced() {
        if (type != CacheType.SERVICES && type != CacheType.SERVICE_EXPORTS) {
            throw new IllegalStateException(key() + " is not a services key");
        }
    }

    private void requireType(CacheType expected) {
        if (type != expected) {
            throw new IllegalStateException(key() + " is not an " + expected.segment() + " key");
        }
    }

    @Override
    public String toString() {
        return key();
    }
}
