package io.meshfed.controller.health;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prometheus metrics of mesh health, refreshed from each evaluation. Names that mean what Cilium's
 * {@code cilium_clustermesh_remote_cluster_*} metrics mean keep Cilium's suffix and label
 * ({@code target_cluster}), so existing dashboards translate by replacing the prefix.
 */
public final class HealthMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge meshStatus = gauge("meshfed_mesh_health_status", "1 for the mesh's current status (Healthy, Degraded, Unhealthy), 0 for the others");
  private final MultiGauge members = gauge("meshfed_clustermesh_remote_clusters", "member clusters of the mesh");
  private final MultiGauge readiness = gauge("meshfed_clustermesh_remote_cluster_readiness_status", "1 when the member is Healthy");
  private final MultiGauge clusterStatus = gauge("meshfed_cluster_health_status", "1 for the member's current status, 0 for the others");
  private final MultiGauge conditions = gauge("meshfed_cluster_condition", "1 for each condition's current status (True, False, Unknown), 0 for the others");
  private final MultiGauge nodes = gauge("meshfed_clustermesh_remote_cluster_nodes", "CiliumNodes of the member in the mesh's etcd");
  private final MultiGauge identities = gauge("meshfed_clustermesh_remote_cluster_identities", "CiliumIdentities of the member in the mesh's etcd");
  private final MultiGauge endpoints = gauge("meshfed_clustermesh_remote_cluster_endpoints", "CiliumEndpoints of the member in the mesh's etcd");
  private final MultiGauge services = gauge("meshfed_clustermesh_remote_cluster_services", "global services of the member in the mesh's etcd");
  private final MultiGauge memberCounts = gauge("meshfed_cluster_member_objects", "objects the agent counts in the member, per kind");
  private final MultiGauge reportAge = gauge("meshfed_agent_report_age_seconds", "age of the member agent's last report");
  private final MultiGauge expiry = gauge("meshfed_certificate_expiry_timestamp_seconds", "notAfter of each certificate known for a member, Unix seconds");

  {
    io.micrometer.core.instrument.FunctionCounter.builder("meshfed_foreign_values_skipped", ForeignValuesRef.INSTANCE, r -> r.skipped())
        .description("values under meshfed/ that listings skipped because they are not what meshfed writes there (see the WARN logs for keys)")
        .register(registry);
  }

  /** A strong reference for the counter's function (micrometer holds its object weakly). */
  private enum ForeignValuesRef {
    INSTANCE;

    double skipped() {
      return io.meshfed.controller.store.ForeignValues.skipped();
    }
  }

  private MultiGauge gauge(String name, String help) {
    return MultiGauge.builder(name).description(help).register(registry);
  }

  public synchronized void update(MeshHealth mesh, List<ClusterHealth> withAgents) {
    List<MultiGauge.Row<?>> status = new ArrayList<>();
    for (HealthState s : HealthState.values()) {
      status.add(MultiGauge.Row.of(Tags.of("status", s.name()), mesh.status() == s ? 1 : 0));
    }
    meshStatus.register(status, true);
    members.register(List.of(MultiGauge.Row.of(Tags.empty(), mesh.members())), true);

    List<MultiGauge.Row<?>> ready = new ArrayList<>();
    List<MultiGauge.Row<?>> perCluster = new ArrayList<>();
    List<MultiGauge.Row<?>> conds = new ArrayList<>();
    List<MultiGauge.Row<?>> n = new ArrayList<>();
    List<MultiGauge.Row<?>> i = new ArrayList<>();
    List<MultiGauge.Row<?>> e = new ArrayList<>();
    List<MultiGauge.Row<?>> sv = new ArrayList<>();
    List<MultiGauge.Row<?>> member = new ArrayList<>();
    List<MultiGauge.Row<?>> age = new ArrayList<>();
    List<MultiGauge.Row<?>> certs = new ArrayList<>();
    for (ClusterHealth c : withAgents) {
      Tags target = Tags.of("target_cluster", c.cluster());
      ready.add(MultiGauge.Row.of(target, c.status() == HealthState.Healthy ? 1 : 0));
      for (HealthState s : HealthState.values()) {
        perCluster.add(MultiGauge.Row.of(target.and("status", s.name()), c.status() == s ? 1 : 0));
      }
      for (Condition cond : c.conditions()) {
        for (Condition.Status s : Condition.Status.values()) {
          conds.add(MultiGauge.Row.of(target.and("condition", cond.type().name(), "status", s.name()), cond.status() == s ? 1 : 0));
        }
      }
      synced(c, "nodes", target, n);
      synced(c, "identities", target, i);
      synced(c, "endpoints", target, e);
      synced(c, "global services", target, sv);
      c.counts().forEach((kind, row) -> {
        if (row.get("member") instanceof Number v) {
          member.add(MultiGauge.Row.of(target.and("kind", kind), v.doubleValue()));
        }
      });
      if (c.reportAgeSeconds() != null) {
        age.add(MultiGauge.Row.of(target, c.reportAgeSeconds()));
      }
      c.certificates().forEach((name, notAfter) ->
          certs.add(MultiGauge.Row.of(target.and("certificate", name), notAfter.getEpochSecond())));
    }
    readiness.register(ready, true);
    clusterStatus.register(perCluster, true);
    conditions.register(conds, true);
    nodes.register(n, true);
    identities.register(i, true);
    endpoints.register(e, true);
    services.register(sv, true);
    memberCounts.register(member, true);
    reportAge.register(age, true);
    expiry.register(certs, true);
  }

  private static void synced(ClusterHealth c, String kind, Tags target, List<MultiGauge.Row<?>> rows) {
    Map<String, Object> row = c.counts().get(kind);
    if (row != null && row.get("synced") instanceof Number v) {
      rows.add(MultiGauge.Row.of(target, v.doubleValue()));
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
