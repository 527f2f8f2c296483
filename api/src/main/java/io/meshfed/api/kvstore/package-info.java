/**
 * The KVStoreMesh cache layout and the exact values stock Cilium agents read from it (spec
 * {@code cilium-clustermesh.md} sections 1.1, 1.3, 1.5 and 2.1-2.5).
 *
 * <ul>
 *   <li>Keys: {@link io.meshfed.api.kvstore.CacheKeys} builds them and parses them back
 *       ({@link io.meshfed.api.kvstore.CacheKey}).</li>
 *   <li>Values: {@link io.meshfed.api.kvstore.ClusterService},
 *       {@link io.meshfed.api.kvstore.IPIdentityPair}, {@link io.meshfed.api.kvstore.CiliumNode},
 *       {@link io.meshfed.api.kvstore.CiliumClusterConfig} (JSON via {@code toJson()} /
 *       {@code fromJson(byte[])}) and {@link io.meshfed.api.kvstore.IdentityLabels} (label
 *       string).</li>
 *   <li>Checks: {@link io.meshfed.api.kvstore.ClusterDataValidator} (spec 1.5 item 8) and the
 *       conformance reader {@link io.meshfed.api.kvstore.CacheEntryReader}.</li>
 * </ul>
 *
 * <p>Encoding is deterministic and byte-identical to Go's {@code json.Marshal} of Cilium's
 * structs (field names, order, {@code omitempty}, map key order, string escaping), so the
 * controller can compare bytes to skip unchanged writes. Decoding follows Go's
 * {@code json.Unmarshal} tolerance (unknown fields ignored, case-insensitive names) and never
 * throws for bad input: it returns a {@link io.meshfed.api.kvstore.ReadResult} refusal naming the
 * field and the rule. Pure domain code: no I/O.
 */
package io.meshfed.api.kvstore;
