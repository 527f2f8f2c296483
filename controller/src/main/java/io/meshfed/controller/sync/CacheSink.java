package io.meshfed.controller.sync;

import io.meshfed.api.kvstore.CacheType;
import java.util.Set;

/**
 * Where a sync session sends its writes (the etcd write path in {@code sync.kv} in production;
 * a recording fake in unit tests). Implementations are thread-safe: the informers of one member
 * call it from several threads.
 */
public interface CacheSink {
  /** Writes {@code cilium/cluster-config/<c>}; called before any data of the cluster. */
  void clusterConfig();

  void put(String key, byte[] value);

  void delete(String key);

  /** Returns once everything submitted before is in etcd. */
  void flush();

  /** Deletes the keys of {@code type} for this cluster that are not in {@code keep}; returns how many. */
  int sweep(CacheType type, Set<String> keep);

  /** Deletes every key of {@code type} for this cluster (cacheTTL revocation); returns how many. */
  int revoke(CacheType type);

  /** Writes the sync canary of {@code type} (after its initial list is flushed). */
  void canary(CacheType type);

  /** Counters of the write path (batches, coalesced, submit-to-commit latency), for the sync status. */
  default Object writerStats() {
    return null;
  }
}
