package io.meshfed.api.kvstore;

import java.util.Objects;

/**
 * One accepted cache entry, as {@link CacheEntryReader} hands it out: the parsed key with its
 * decoded, validated value.
 */
public sealed interface CacheEntry
        permits CacheEntry.Node, CacheEntry.Service, CacheEntry.Identity, CacheEntry.Ipcache {

    /** The entry's key. */
    CacheKey key();

    /**
     * A node entry.
     *
     * @param key  its key
     * @param node its value
     */
    record Node(CacheKey key, CiliumNode node) implements CacheEntry {
        /** Requires both parts. */
        public Node {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * A global-service entry.
     *
     * @param key     its key
     * @param service its value
     */
    record Service(CacheKey key, ClusterService service) implements CacheEntry {
        /** Requires both parts. */
        public Service {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(service, "service");
        }
    }

    /**
     * An identity entry.
     *
     * @param key    its key
     * @param labels its value
     */
    record Identity(CacheKey key, IdentityLabels labels) implements CacheEntry {
        /** Requires both parts. */
        public Identity {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(labels, "labels");
        }

        /** The numeric identity from the key. */
        public long identity() {
            return key.identity();
        }
    }

    /**
     * An ipcache entry.
     *
     * @param key  its key
     * @param pair its value
     */
    record Ipcache(CacheKey key, IPIdentityPair pair) implements CacheEntry {
        /** Requires both parts. */
        public Ipcache {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(pair, "pair");
        }
    }
}
