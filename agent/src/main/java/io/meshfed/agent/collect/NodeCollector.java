package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.v1.NodeStatus;

/** Nodes and how many of them are Ready, from paged lists (Node status is not in the metadata). */
final class NodeCollector extends KubeCollector {
  /** Nodes are large (images, conditions): small pages. */
  static final int PAGE_SIZE = 100;

  private final ObjectCounter walker = new ObjectCounter(PAGE_SIZE, 1000);

  NodeCollector(KubeAccess kube) {
    super("nodes", kube);
  }

  @Override
  public void collect(Results results) {
    int[] ready = {0};
    ObjectCounter.Walk walk = walker.walk(kube.pager(ResourceKind.NODES, null, false, node -> {
      if (isReady(node)) {
        ready[0]++;
      }
    }));
    NodeStatus.Builder status = NodeStatus.newBuilder().setReady(ready[0]).setTotal((int) walk.items());
    if (walk.error() != null) {
      status.setError(Errors.text(walk.error()));
    } else if (!walk.complete()) {
      status.setError("node list incomplete (page budget or expired continue token): counts are lower bounds");
    }
    results.nodes = status.build();
  }

  static boolean isReady(JsonNode node) {
    for (JsonNode condition : node.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  @Override
  public void fail(Results results, String error) {
    results.nodes = NodeStatus.newBuilder().setError(error).build();
  }

  @Override
  public String error(Results results) {
    return results.nodes == null ? "" : results.nodes.getError();
  }
}
