package io.meshfed.controller.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.cli.ApiClient;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.runtime.Controller;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.time.Duration;
import java.util.Map;

/**
 * What the controller-replica tests read from and do to a running mesh: API reads from one
 * replica, a member's sync state there, CiliumIdentities created and deleted in a member, and the
 * agent-side conformance of a member's cache keys (read with a root etcd client). Members are
 * named {@code c<N>} with cluster ID N, as {@link MeshHarness#startWithMembers} joins them.
 */
public final class MeshChecks {
  private final MeshHarness mesh;
  private final SimulatedClusters sims;
  private final MeshStore root;
  private final Duration wait;

  /** @param wait how long a conformance check may wait for the cache to settle */
  public MeshChecks(MeshHarness mesh, SimulatedClusters sims, MeshStore root, Duration wait) {
    this.mesh = mesh;
    this.sims = sims;
    this.root = root;
    this.wait = wait;
  }

  /** {@code GET path} from replica {@code c}; the CLI config points at {@code c} afterwards. */
  public JsonNode get(Controller c, String path) throws Exception {
    mesh.useControllerAt(c.port());
    try (ApiClient api = mesh.api()) {
      return api.get(path);
    }
  }

  /** Replica {@code c}'s {@code /metrics} text. */
  public String metrics(Controller c) throws Exception {
    mesh.useControllerAt(c.port());
    try (ApiClient api = mesh.api()) {
      return api.getText("/metrics");
    }
  }

  /** Every cache type of {@code cluster} reports synced on {@code c} (a leader: only it runs sessions). */
  public void assertAllSynced(Controller c, String cluster) throws Exception {
    JsonNode sync = get(c, "/api/v1/clusters/" + cluster + "/sync");
    assertThat(sync.path("types").size()).as(sync.toString()).isPositive();
    sync.path("types").forEach(t -> assertThat(t.path("synced").asBoolean()).as(sync.toString()).isTrue());
  }

  /** The cache keys of {@code cluster} equal its source objects (nothing missing, nothing extra). */
  public void assertConformant(String cluster) {
    try (KubernetesClient k = member(cluster)) {
      await().atMost(wait).ignoreExceptions().untilAsserted(() ->
          CiliumAgentReader.assertConformant(root, cluster, id(cluster), k, Duration.ofSeconds(10)));
    }
  }

  /** Creates CiliumIdentity {@code (clusterId << 16) + offset} in {@code cluster}; returns its cache key. */
  public String createIdentity(String cluster, int offset) {
    GenericKubernetesResource identity = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
        .withKind("CiliumIdentity").withNewMetadata().withName(identityName(cluster, offset)).endMetadata()
        .addToAdditionalProperties("security-labels", Map.of("k8s:app", "failover",
            "k8s:io.cilium.k8s.policy.cluster", cluster, "k8s:io.kubernetes.pod.namespace", "default"))
        .build();
    try (KubernetesClient k = member(cluster)) {
      k.genericKubernetesResources(CiliumAgentReader.IDENTITIES).resource(identity).create();
    }
    return "cilium/cache/identities/v1/" + cluster + "/id/" + identityName(cluster, offset);
  }

  /** Deletes the CiliumIdentity {@link #createIdentity} made with the same arguments. */
  public void deleteIdentity(String cluster, int offset) {
    try (KubernetesClient k = member(cluster)) {
      assertThat(k.genericKubernetesResources(CiliumAgentReader.IDENTITIES).withName(identityName(cluster, offset)).delete())
          .as("deleted CiliumIdentity " + identityName(cluster, offset) + " in " + cluster).hasSize(1);
    }
  }

  private KubernetesClient member(String cluster) {
    return MemberConnection.fromKubeconfig(sims.cluster(cluster).kubeconfig(), null);
  }

  private static String identityName(String cluster, int offset) {
    return String.valueOf((id(cluster) << 16) + offset);
  }

  private static int id(String cluster) {
    return Integer.parseInt(cluster.substring(1));
  }
}
