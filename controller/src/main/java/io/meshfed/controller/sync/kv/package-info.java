/**
 * The etcd write path of sync: how a member's converted Cilium state gets into the mesh etcd in
 * the KVStoreMesh cache layout, framework-neutral (jetcd futures and plain threads, no Vert.x).
 *
 * <ul>
 *   <li>{@link io.meshfed.controller.sync.kv.CacheWriter}: one per member; coalescing,
 *       skip-unchanged, 128-op transactions, bounded queue with backpressure, retries, leases of
 *       at most 1000 keys re-written when lost.</li>
 *   <li>{@link io.meshfed.controller.sync.kv.SyncMarkers}: a member's cluster config (leased,
 *       re-put every 5 minutes) and its sync canaries (after the initial list is flushed).</li>
 *   <li>{@link io.meshfed.controller.sync.kv.Heartbeat}: {@code cilium/.heartbeat} for the whole
 *       mesh, every 30 s.</li>
 *   <li>{@link io.meshfed.controller.sync.kv.StaleSweeper}: deletes what an earlier controller
 *       life left under a member's prefix.</li>
 *   <li>{@link io.meshfed.controller.sync.kv.ClusterDataRemover}: leave and cacheTTL revocation,
 *       cluster config first.</li>
 * </ul>
 *
 * <p>Keys and values come from {@code io.meshfed.api.kvstore}; nothing here builds a key by hand
 * except from {@code CacheType.prefix}. docs/sync.md gives the numbers.
 */
package io.meshfed.controller.sync.kv;
