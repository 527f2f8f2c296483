package io.meshfed.testkit.simcluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the launcher's ready.json, which it writes (atomically) once every simulated cluster is
 * seeded and listening: {@code {"pid":..., "clusters":[{"name","id","port","kubeconfig",
 * "users":{USER: kubeconfig},...}]}}.
 */
final class ReadyFile {

  static final String NAME = "ready.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReadyFile() {
  }

  static List<SimulatedCluster> read(Path file) throws IOException {
    JsonNode clusters = JSON.readTree(file.toFile()).path("clusters");
    if (!clusters.isArray() || clusters.isEmpty()) {
      throw new IOException(file + ": no \"clusters\" list");
    }
    List<SimulatedCluster> result = new ArrayList<>();
    for (JsonNode cluster : clusters) {
      Map<String, Path> users = new LinkedHashMap<>();
      cluster.path("users").properties()
          .forEach(user -> users.put(user.getKey(), Path.of(user.getValue().asText())));
      result.add(new SimulatedCluster(
          required(file, cluster, "name").asText(),
          required(file, cluster, "id").asInt(),
          required(file, cluster, "port").asInt(),
          Path.of(required(file, cluster, "kubeconfig").asText()),
          users));
    }
    return List.copyOf(result);
  }

  private static JsonNode required(Path file, JsonNode cluster, String field) throws IOException {
    JsonNode value = cluster.get(field);
    if (value == null || value.isNull()) {
      throw new IOException(file + ": a simulated cluster entry has no \"" + field + "\"");
    }
    return value;
  }
}
