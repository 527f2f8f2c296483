package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The etcd keys of the KVStoreMesh cache layout that stock Cilium agents read (spec sections 1,
 * 1.3 and 10), and nothing else: every key meshfed writes for a member cluster comes from here.
 *
 * <pre>
 * cilium/cache/identities/v1/&lt;c&gt;/id/&lt;ID&gt;          label string
 * cilium/cache/ip/v1/&lt;c&gt;/&lt;ip&gt; (or &lt;ip&gt;/&lt;len&gt;)    IPIdentityPair JSON
 * cilium/cache/nodes/v1/&lt;c&gt;/&lt;node&gt;              Node JSON
 * cilium/cache/services/v1/&lt;c&gt;/&lt;ns&gt;/&lt;name&gt;      ClusterService JSON
 * cilium/cluster-config/&lt;c&gt;                       CiliumClusterConfig JSON
 * cilium/synced/&lt;c&gt;/cilium/cache/&lt;type&gt;/v1        RFC 3339 timestamp (canary)
 * cilium/.heartbeat                                RFC 3339 timestamp, every minute
 * </pre>
 *
 * <p>Builders validate their parts and throw {@link InvalidValueException} (they serve our own
 * writes). {@link #parse} reads keys someone else wrote and refuses with a reason instead.
 */
public final class CacheKeys {

    /** Root of everything Cilium keeps in etcd. */
    public static final String BASE_PREFIX = "cilium";
    /** Where a clustermesh-apiserver writes its own cluster's state (not used by meshfed). */
    public static final String STATE_PREFIX = "cilium/state";
    /** Where KVStoreMesh (and meshfed) keep per-cluster copies. */
    public static final String CACHE_PREFIX = "cilium/cache";
    /** Parent of {@code cilium/cluster-config/<c>}. */
    public static final String CLUSTER_CONFIG_PREFIX = "cilium/cluster-config";
    /** Parent of the sync canaries. */
    public static final String SYNCED_PREFIX = "cilium/synced";
    /** Rewritten at least every 60 s; agents reconnect after 2 minutes without an update (spec 1.5 item 7). */
    public static final String HEARTBEAT = "cilium/.heartbeat";
    /** The only layout version Cilium uses for these prefixes. */
    public static final String VERSION = "v1";

    private static final Pattern DUPLICATE_SLASHES = Pattern.compile("/{2,}");
    private static final String IDENTITY_ID_SEGMENT = "id";

    private CacheKeys() {
    }

    /**
     * Cilium's {@code JoinKey}: parts joined with {@code /}, duplicate slashes collapsed, trailing
     * slash trimmed (spec section 1). Note that the result never ends with {@code /}; range
     * prefixes add it back (see {@link CacheType#prefix}).
     */
    public static String joinKey(String... parts) {
        String joined = DUPLICATE_SLASHES.matcher(String.join("/", parts)).replaceAll("/");
        return joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    /**
     * {@code cilium/cache/identities/v1/<c>/id/<ID>}.
     *
     * @throws InvalidValueException unless 1 &lt;= identity &lt;= 2^32-1 (range checks against the
     *                               cluster ID are the validator's job)
     */
    public static String identity(ClusterName cluster, long identity) {
        if (identity < 1 || identity > NumericIdentities.MAX_UINT32) {
            throw new InvalidValueException("identity", Long.toString(identity), "must be between 1 and 4294967295");
        }
        return joinKey(CacheType.IDENTITIES.prefix(cluster), IDENTITY_ID_SEGMENT, Long.toString(identity));
    }

    /** {@code cilium/cache/ip/v1/<c>/<ip>} for a host entry (no mask). */
    public static String ip(ClusterName cluster, IpAddress ip) {
        return joinKey(CacheType.IP.prefix(cluster), ip.toString());
    }

    /** {@code cilium/cache/ip/v1/<c>/<ip>/<len>} for a CIDR entry. */
    public static String ip(ClusterName cluster, IpNet prefix) {
        return joinKey(CacheType.IP.prefix(cluster), prefix.ip() + "/" + prefix.mask().prefixLength());
    }

    /** The ipcache key of {@code pair} ({@link IPIdentityPair#keyName()}). */
    public static String ip(ClusterName cluster, IPIdentityPair pair) {
        return joinKey(CacheType.IP.prefix(cluster), pair.keyName());
    }

    /** {@code cilium/cache/nodes/v1/<c>/<node>}. */
    public static String node(ClusterName cluster, String nodeName) {
        return joinKey(CacheType.NODES.prefix(cluster), segment("node name", nodeName));
    }

    /** {@code cilium/cache/services/v1/<c>/<ns>/<name>}. */
    public static String service(ClusterName cluster, String namespace, String name) {
        return joinKey(CacheType.SERVICES.prefix(cluster), segment("namespace", namespace),
                segment("service name", name));
    }

    /** {@code cilium/cache/serviceexports/v1/<c>/<ns>/<name>}. */
    public static String serviceExport(ClusterName cluster, String namespace, String name) {
        return joinKey(CacheType.SERVICE_EXPORTS.prefix(cluster), segment("namespace", namespace),
                segment("service name", name));
    }

    /** {@code cilium/cluster-config/<c>}: must exist before any data (spec 10 item 2). */
    public static String clusterConfig(ClusterName cluster) {
        return joinKey(CLUSTER_CONFIG_PREFIX, cluster.value());
    }

    /** {@code cilium/synced/<c>/cilium/cache/<type>/v1}. */
    public static String syncedCanary(ClusterName cluster, CacheType type) {
        return type.syncedCanaryKey(cluster);
    }

    /** {@code cilium/synced/<c>/}: all canaries of one cluster, trailing slash included. */
    public static String syncedPrefix(ClusterName cluster) {
        return joinKey(SYNCED_PREFIX, cluster.value()) + "/";
    }

    /** {@code cilium/.heartbeat}. */
    public static String heartbeat() {
        return HEARTBEAT;
    }

    /**
     * The range prefixes that remove a cluster's data once it has left, in KVStoreMesh's order
     * (spec 1.3): canaries first, then every cache kind. Delete {@link #clusterConfig} before
     * these and let agents disconnect during the grace period. Each ends with {@code /}.
     */
    public static List<String> clusterDataPrefixes(ClusterName cluster) {
        List<String> prefixes = new ArrayList<>();
        prefixes.add(syncedPrefix(cluster));
        for (CacheType type : List.of(CacheType.NODES, CacheType.SERVICES, CacheType.SERVICE_EXPORTS,
                CacheType.IDENTITIES, CacheType.IP)) {
            prefixes.add(type.prefix(cluster));
        }
        return List.copyOf(prefixes);
    }

    /**
     * Reads a cache key someone else wrote back into its kind, cluster and name.
     *
     * @return the parsed key, or a refusal with field {@code key} and the reason; never throws
     */
    public static ReadResult<CacheKey> parse(String key) {
        return CacheKeyParser.parse(key);
    }

    /** Refuses key segments that would change the key's shape or be cleaned away by path tools. */
    private static String segment(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty() || value.contains("/") || value.equals(".") || value.equals("..")) {
            throw new InvalidValueException(field, value, "must be a non-empty key segment without '/' (not . or ..)");
        }
        return value;
    }
}
