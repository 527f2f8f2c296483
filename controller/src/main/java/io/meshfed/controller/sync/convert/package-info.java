/**
 * Pure converters from a member cluster's Kubernetes objects to the KVStoreMesh cache entries
 * stock Cilium agents read (spec {@code cilium-clustermesh.md} sections 1.3, 1.5, 2, 3.3, 5).
 *
 * <p>One converter per kind, each bound to one member ({@link io.meshfed.controller.sync.convert.MemberCluster}):
 * <ul>
 *   <li>{@link io.meshfed.controller.sync.convert.IdentityConverter}: CiliumIdentity →
 *       {@code cilium/cache/identities/v1/<c>/id/<ID>};</li>
 *   <li>{@link io.meshfed.controller.sync.convert.EndpointConverter}: CiliumEndpoint → one
 *       {@code cilium/cache/ip/v1/<c>/<ip>} per address;</li>
 *   <li>{@link io.meshfed.controller.sync.convert.NodeConverter}: CiliumNode →
 *       {@code cilium/cache/nodes/v1/<c>/<node>};</li>
 *   <li>{@link io.meshfed.controller.sync.convert.ServiceConverter}: Service + EndpointSlices →
 *       {@code cilium/cache/services/v1/<c>/<ns>/<name>}.</li>
 * </ul>
 * Every converter answers with a {@link io.meshfed.controller.sync.convert.Conversion}: the
 * entries to write, "not exported" (delete the key), "skipped" (Cilium ignores the object), or
 * "refused" with {@link io.meshfed.api.cluster.Finding}s naming the source field and the rule.
 * Values are encoded by the api codecs and checked with
 * {@link io.meshfed.api.kvstore.ClusterDataValidator} before they are handed out, so nothing a
 * remote agent would drop (spec 1.5 item 8) is ever written.
 *
 * <p>{@link io.meshfed.controller.sync.convert.IpOwnership} is the one piece with state: which
 * (cluster, endpoint) owns each IP across all members, shared by every member's sync session.
 *
 * <p>Where the spec and Cilium's code differ, Cilium wins (issue 4); each class says where.
 * Plain Java: no I/O, no Vert.x, no clock; equal inputs always give equal bytes.
 */
package io.meshfed.controller.sync.convert;
