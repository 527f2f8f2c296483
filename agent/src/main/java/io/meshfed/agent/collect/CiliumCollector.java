package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CiliumStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cilium DaemonSet's rollout ({@code status.desiredNumberScheduled}, {@code status.numberReady})
 * and {@code cluster-name}/{@code cluster-id} of ConfigMap {@code kube-system/cilium-config}, which
 * must name the cluster the agent's certificate speaks for: a different name means Cilium and the
 * mesh disagree on who this cluster is, and remote agents would drop its data.
 */
final class CiliumCollector extends KubeCollector {
  static final String DAEMONSET_PATH = "/apis/apps/v1/namespaces/kube-system/daemonsets/cilium";
  static final String CONFIGMAP_PATH = "/api/v1/namespaces/kube-system/configmaps/cilium-config";

  private final String cluster;

  CiliumCollector(KubeAccess kube, String cluster) {
    super("cilium", kube);
    this.cluster = cluster;
  }

  @Override
  public void collect(Results results) {
    CiliumStatus.Builder status = CiliumStatus.newBuilder();
    List<String> errors = new ArrayList<>();
    read(DAEMONSET_PATH, "DaemonSet kube-system/cilium", errors).ifPresent(ds -> {
      JsonNode s = ds.path("status");
      status.setDaemonsetDesired(s.path("desiredNumberScheduled").asInt(0)).setDaemonsetReady(s.path("numberReady").asInt(0));
    });
    read(CONFIGMAP_PATH, "ConfigMap kube-system/cilium-config", errors).ifPresent(cm -> {
      JsonNode data = cm.path("data");
      String name = data.path("cluster-name").asText("");
      status.setConfigClusterName(name.length() <= HealthReports.MAX_NAME_CHARS ? name : name.substring(0, HealthReports.MAX_NAME_CHARS));
      String id = data.path("cluster-id").asText("");
      if (!id.isEmpty()) {
        try {
          status.setConfigClusterId(Integer.parseInt(id.strip()));
        } catch (NumberFormatException e) {
          errors.add("cilium-config cluster-id \"" + id + "\" is not a number");
        }
      }
      if (!cluster.equals(name)) {
        errors.add("cilium-config cluster-name \"" + name + "\" differs from this agent's certificate ("
            + HealthReports.agentCommonName(cluster) + "): Cilium and the mesh disagree on this cluster's name");
      }
    });
    results.cilium = status.setError(HealthReports.errorText(String.join("; ", errors))).build();
  }

  /** The object at {@code path}; a missing one or a failed read becomes an entry of {@code errors}. */
  private Optional<JsonNode> read(String path, String what, List<String> errors) {
    try {
      Optional<JsonNode> object = kube.get(path);
      if (object.isEmpty()) {
        errors.add(what + " not found (is Cilium installed?)");
      }
      return object;
    } catch (KubeException e) {
      errors.add(Errors.text(e));
      return Optional.empty();
    }
  }

  @Override
  public void fail(Results results, String error) {
    results.cilium = CiliumStatus.newBuilder().setError(error).build();
  }

  @Override
  public String error(Results results) {
    return results.cilium == null ? "" : results.cilium.getError();
  }
}
