/**
 * What the agent observes, one collector per capability: Kubernetes reachability, the cilium
 * DaemonSet and cilium-config, Nodes, object counts, certificates, meshfed-managed policies and the
 * mesh etcd. {@link io.meshfed.agent.collect.HealthCollector} runs them on one thread and turns
 * their results into a {@code HealthReport} snapshot; a failing collector fills its error field and
 * never stops the others.
 *
 * <p>Reads are cheap by design: single gets, counts by {@code limit=1} lists with
 * {@code metadata.remainingItemCount} ({@link io.meshfed.agent.collect.ObjectCounter}), otherwise
 * paged metadata-only lists parsed as a stream; no informers, so memory does not grow with the
 * cluster. Everything they need is in agent/RBAC.md, and nothing more.
 */
package io.meshfed.agent.collect;
