package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.KubernetesStatus;
import java.util.Optional;

/** {@code GET /version}: is the API server there, how fast it answers, which version it runs. */
final class KubernetesProbe extends KubeCollector {

  KubernetesProbe(KubeAccess kube) {
    super("kubernetes", kube);
  }

  @Override
  public boolean needsKubernetes() {
    return false;
  }

  @Override
  public void collect(Results results) {
    long start = System.nanoTime();
    try {
      Optional<JsonNode> version = kube.get("/version");
      long millis = (System.nanoTime() - start) / 1_000_000;
      results.kubernetes = KubernetesStatus.newBuilder()
          .setReachable(true)
          .setLatencyMs(millis)
          .setVersion(truncate(version.map(v -> v.path("gitVersion").asText("")).orElse("")))
          .setError(version.isPresent() ? "" : "GET /version: HTTP 404")
          .build();
    } catch (KubeException e) {
      // An HTTP answer (401, 403, 500) still proves the server is there.
      results.kubernetes = KubernetesStatus.newBuilder().setReachable(e.code() != 0).setError(Errors.text(e)).build();
    }
  }

  private static String truncate(String version) {
    return version.length() <= HealthReports.MAX_VERSION_CHARS ? version : version.substring(0, HealthReports.MAX_VERSION_CHARS);
  }

  @Override
  public void fail(Results results, String error) {
    results.kubernetes = KubernetesStatus.newBuilder().setError(error).build();
  }

  @Override
  public String error(Results results) {
    return results.kubernetes == null ? "" : results.kubernetes.getError();
  }
}
