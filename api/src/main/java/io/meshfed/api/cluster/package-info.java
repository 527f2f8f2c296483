/**
 * Cluster identity rules every meshfed component shares: cluster names, cluster IDs, the mesh
 * size ({@link io.meshfed.api.cluster.MaxConnectedClusters}) and the numeric-identity ranges that
 * follow from it (spec {@code cilium-clustermesh.md} sections 3 and 8).
 *
 * <p>Our own invalid input raises {@link io.meshfed.api.cluster.InvalidValueException}; every
 * check also exists in a non-throwing {@code check(field, value)} form returning a
 * {@link io.meshfed.api.cluster.Finding}, so callers can report all findings at once
 * ({@link io.meshfed.api.cluster.Findings}). Pure domain code: no I/O.
 */
package io.meshfed.api.cluster;
