/**
 * The member-cluster side of join and leave: connecting to a member's Kubernetes API, inspecting
 * it (Cilium settings, Pod CIDRs, the rights of the kubeconfig), provisioning the least-privilege
 * ServiceAccount the controller works with, renewing its short-lived token, writing the named
 * Secrets, and removing everything again on leave.
 *
 * <p>Everything here is plain blocking code over a fabric8 {@code KubernetesClient}: the controller
 * runs it on a worker pool, never on an event loop. What a bad member looks like (unreachable API,
 * missing Cilium settings, a kubeconfig without the needed rights, objects of ours that someone
 * else owns) is reported as {@link io.meshfed.api.cluster.Finding}s, never thrown.
 *
 * <p>{@link io.meshfed.controller.member.MemberRbac} is the one source of truth for the rights
 * the controller gets in a member; docs/member-rbac.md is checked against it by a test.
 */
package io.meshfed.controller.member;
