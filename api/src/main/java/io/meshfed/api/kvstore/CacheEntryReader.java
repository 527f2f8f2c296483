package io.meshfed.api.kvstore;

import java.util.Objects;

/**
 * Reads one cluster's KVStoreMesh cache the way a stock Cilium agent does (spec 1.5): parse the
 * key, decode the value, apply the per-object checks. The conformance reader of our tests, and a
 * guard the controller can run over what it is about to write.
 *
 * <p>Every outcome is a {@link ReadResult}; bad keys, garbage JSON and objects that do not belong
 * to the cluster are refusals with a reason, never exceptions.
 */
public final class CacheEntryReader {

    private final ClusterDataValidator validator;

    /** A reader for the data of {@code validator.cluster()}. */
    public CacheEntryReader(ClusterDataValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /**
     * Reads one key/value pair from below {@code cilium/cache/}.
     *
     * @param key   the full etcd key
     * @param value the etcd value
     */
    public ReadResult<CacheEntry> read(String key, byte[] value) {
        return CacheKeys.parse(key).then(parsed -> {
            if (!parsed.cluster().equals(validator.cluster())) {
                return ReadResult.refused("key", key, "must belong to cluster \"" + validator.cluster()
                        + "\", not \"" + parsed.cluster() + "\"");
            }
            if (value == null) {
                return ReadResult.refused("value", null, "must be present");
            }
            return switch (parsed.type()) {
                case NODES -> CiliumNode.fromJson(value)
                        .then(node -> validator.checkNode(parsed.name(), node))
                        .map(node -> new CacheEntry.Node(parsed, node));
                case SERVICES -> ClusterService.fromJson(value)
                        .then(service -> validator.checkService(parsed.name(), service))
                        .map(service -> new CacheEntry.Service(parsed, service));
                case IDENTITIES -> IdentityLabels.fromBytes(value)
                        .then(labels -> validator.checkIdentity(parsed.identity(), labels))
                        .map(labels -> new CacheEntry.Identity(parsed, labels));
                case IP -> IPIdentityPair.fromJson(value)
                        .then(pair -> validator.checkIpcacheEntry(parsed.name(), pair))
                        .map(pair -> new CacheEntry.Ipcache(parsed, pair));
                case SERVICE_EXPORTS -> ReadResult.refused("key", key,
                        "is a serviceexports entry, which meshfed neither writes nor reads yet");
            };
        });
    }

    /** Reads {@code cilium/cache/cluster-config/<cluster>} and checks it against the cluster. */
    public ReadResult<CiliumClusterConfig> readClusterConfig(String key, byte[] value) {
        String expected = CacheKeys.clusterConfig(validator.cluster());
        if (!expected.equals(key)) {
            return ReadResult.refused("key", key, "must be " + expected);
        }
        return CiliumClusterConfig.fromJson(value).then(validator::checkClusterConfig);
    }
}
