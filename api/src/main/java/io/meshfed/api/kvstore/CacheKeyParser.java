package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses cache keys written by someone else ({@link CacheKeys#parse}). Every refusal names field
 * {@code key} and says which part is wrong; the parser never throws.
 *
 * <p>Stricter than Cilium on purpose: names must be in the canonical form meshfed itself writes
 * (no leading zeros in identity IDs, IPs printed as Go prints them), because a key that does not
 * round-trip cannot be compared with its value or deleted reliably.
 */
final class CacheKeyParser {

    private static final String FIELD = "key";
    private static final String ROOT = CacheKeys.CACHE_PREFIX + "/";
    private static final Pattern CANONICAL_DECIMAL = Pattern.compile("0|[1-9][0-9]{0,9}");

    private CacheKeyParser() {
    }

    static ReadResult<CacheKey> parse(String key) {
        if (key == null || key.isEmpty()) {
            return ReadResult.refused(FIELD, null, "must not be empty");
        }
        if (!key.startsWith(ROOT)) {
            return refuse(key, "must start with " + ROOT + " (the KVStoreMesh cache layout)");
        }
        if (key.endsWith("/") || key.contains("//")) {
            return refuse(key, "must not contain empty segments or end with '/'");
        }
        String[] parts = key.substring(ROOT.length()).split("/", 4);
        if (parts.length < 4) {
            return refuse(key, "must have the form " + ROOT + "<type>/v1/<cluster>/<name>");
        }
        Optional<CacheType> type = CacheType.fromSegment(parts[0]);
        if (type.isEmpty()) {
            return refuse(key, "names unknown cache type \"" + parts[0]
                    + "\" (expected identities, ip, nodes, services or serviceexports)");
        }
        if (!CacheKeys.VERSION.equals(parts[1])) {
            return refuse(key, "must use layout version v1, not \"" + parts[1] + "\"");
        }
        Optional<Finding> badCluster = ClusterName.check(FIELD, parts[2]);
        if (badCluster.isPresent()) {
            return refuse(key, "has an invalid cluster segment: \"" + parts[2] + "\" " + badCluster.get().rule());
        }
        String name = parts[3];
        Optional<String> badName = nameProblem(type.get(), name);
        if (badName.isPresent()) {
            return refuse(key, badName.get());
        }
        return ReadResult.accepted(new CacheKey(type.get(), new ClusterName(parts[2]), name));
    }

    /**
     * What is wrong with {@code name} as the part after the cluster segment of a {@code type}
     * key, or empty when it has the shape meshfed writes. Shared by the parser and by
     * {@link CacheKey}'s constructor, so a {@code CacheKey} always has a valid shape.
     */
    static Optional<String> nameProblem(CacheType type, String name) {
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            return Optional.of("must not contain empty segments or end with '/'");
        }
        for (String segment : name.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("must not contain . or .. segments");
            }
        }
        return switch (type) {
            case IDENTITIES -> checkIdentityName(name);
            case IP -> checkIpName(name);
            case NODES -> name.contains("/") ? Optional.of("node name must be one segment") : Optional.empty();
            case SERVICES, SERVICE_EXPORTS -> name.split("/").length == 2
                    ? Optional.empty()
                    : Optional.of("must end with <namespace>/<name>");
        };
    }

    private static Optional<String> checkIdentityName(String name) {
        String[] parts = name.split("/");
        if (parts.length != 2 || !parts[0].equals("id")) {
            return Optional.of("must end with id/<numeric identity>");
        }
        if (!CANONICAL_DECIMAL.matcher(parts[1]).matches()) {
            return Optional.of("must end with id/<decimal without leading zeros>");
        }
        long id = Long.parseLong(parts[1]);
        if (id < 1 || id > NumericIdentities.MAX_UINT32) {
            return Optional.of("identity must be between 1 and 4294967295");
        }
        return Optional.empty();
    }

    /** An ipcache name is Cilium's {@code PrefixString()}: {@code <ip>} or {@code <ip>/<len>}, canonical. */
    private static Optional<String> checkIpName(String name) {
        int slash = name.indexOf('/');
        String ipText = slash < 0 ? name : name.substring(0, slash);
        Optional<IpAddress> ip = IpAddress.tryParse(ipText);
        if (ip.isEmpty()) {
            return Optional.of("must end with an IP address or IP/prefix-length");
        }
        if (!ip.get().toString().equals(ipText)) {
            return Optional.of("must spell the IP as Go does (" + ip.get() + ")");
        }
        if (slash < 0) {
            return Optional.empty();
        }
        String length = name.substring(slash + 1);
        if (!CANONICAL_DECIMAL.matcher(length).matches() || Long.parseLong(length) > ip.get().bitLength()) {
            return Optional.of("prefix length must be 0.." + ip.get().bitLength() + " without leading zeros");
        }
        return Optional.empty();
    }

    private static ReadResult<CacheKey> refuse(String key, String rule) {
        return ReadResult.refused(FIELD, key, rule);
    }
}
