package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshfed.api.cluster.Finding;
import io.meshfed.testkit.simcluster.SimulatedCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.meshfed.testkit.simcluster.UserProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MemberInspector on simulated clusters: facts, Cilium settings, Pod CIDRs, rights; findings, never exceptions")
@Timeout(120)
class MemberInspectorTest {

  private static SimulatedClusters clusters;

  @BeforeAll
  static void startSimulatedClusters() {
    clusters = SimulatedClusters.builder()
        .cluster("facts", 5).cluster("settings", 6).cluster("outage", 7)
        .user("viewer", UserProfile.READONLY)
        .nodes(3).identities(1).endpoints(1).services(1).namespaces(1)
        .start();
  }

  @AfterAll
  static void stopSimulatedClusters() {
    if (clusters != null) {
      clusters.close();
    }
  }

  @Test
  @DisplayName("(a) admin kubeconfig: uid, cilium-config, deduplicated Pod CIDRs, version; no findings at all")
  void factsOfAHealthyMember() {
    SimulatedCluster cluster = clusters.cluster("facts");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster)) {
      MemberFacts facts = new MemberInspector("facts").inspect(admin);

      assertThat(facts.findings()).isEmpty();
      assertThat(facts.permissionFindings()).isEmpty();
      assertThat(facts.reachable()).isTrue();
      assertThat(facts.server()).startsWith(cluster.apiServerUrl().toString());
      assertThat(facts.serverVersion()).contains("v1.31.0");
      assertThat(facts.kubeSystemUid())
          .contains(admin.namespaces().withName("kube-system").get().getMetadata().getUid());
      assertThat(facts.ciliumClusterName()).contains("facts");
      assertThat(facts.ciliumClusterId()).hasValue(5);
      assertThat(facts.maxConnectedClusters()).isEqualTo(255);
      // Each node's block is on its Node and on its CiliumNode: listed once.
      assertThat(facts.podCidrs()).extracting(PodCidr::toString)
          .containsExactly("10.5.0.0/24", "10.5.1.0/24", "10.5.2.0/24");
    }
  }

  @Test
  @DisplayName("(b) readonly kubeconfig: the facts are read, every right join needs beyond reading is a finding")
  void readonlyKubeconfigLacksTheRightsToProvision() {
    SimulatedCluster cluster = clusters.cluster("facts");
    try (KubernetesClient viewer = SimulatedMembers.user(cluster, "viewer")) {
      MemberFacts facts = new MemberInspector("facts").inspect(viewer);

      assertThat(facts.ciliumClusterName()).contains("facts");
      assertThat(facts.podCidrs()).hasSize(3);
      assertThat(facts.findings()).containsExactlyElementsOf(facts.permissionFindings());
      assertThat(facts.permissionFindings()).extracting(Finding::message).contains(
          "kubeconfig lacks the right to create clusterroles.rbac.authorization.k8s.io (cluster-wide)",
          "kubeconfig lacks the right to create namespaces (cluster-wide)",
          "kubeconfig lacks the right to create secrets in namespace kube-system",
          "kubeconfig lacks the right to create serviceaccounts/token named meshfed-controller in namespace meshfed-system",
          "kubeconfig lacks the right to create ciliumnetworkpolicies.cilium.io (cluster-wide)");
      assertThat(facts.permissionFindings()).extracting(Finding::message)
          .as("reading is allowed to the readonly profile")
          .noneMatch(message -> message.contains(" to get ") || message.contains(" to list ")
              || message.contains(" to watch "));
    }
  }

  @Test
  @DisplayName("cilium-config without name and id, a bad Pod CIDR, then no cilium-config at all: findings; max defaults to 255")
  void missingCiliumSettingsAreFindings() {
    SimulatedCluster cluster = clusters.cluster("settings");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster)) {
      admin.configMaps().inNamespace("kube-system").withName("cilium-config").edit(config -> {
        config.getData().remove("cluster-name");
        config.getData().remove("cluster-id");
        config.getData().remove("max-connected-clusters");
        return config;
      });
      admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("settings-bad-node").endMetadata()
          .withNewSpec().withPodCIDR("10.6.300.0/24").withPodCIDRs("10.6.300.0/24").endSpec().build()).create();

      MemberFacts facts = new MemberInspector("settings").inspect(admin);

      assertThat(facts.ciliumClusterName()).isEmpty();
      assertThat(facts.ciliumClusterId()).isEmpty();
      assertThat(facts.maxConnectedClusters()).isEqualTo(MemberFacts.DEFAULT_MAX_CONNECTED_CLUSTERS);
      assertThat(facts.findings()).extracting(Finding::field).containsExactlyInAnyOrder(
          "cilium-config.cluster-name", "cilium-config.cluster-id",
          "Node settings-bad-node spec.podCIDRs", "Node settings-bad-node spec.podCIDR");
      assertThat(facts.podCidrs()).as("the good ones are still reported").hasSize(3);

      ConfigMap config = admin.configMaps().inNamespace("kube-system").withName("cilium-config").get();
      config.getData().put("cluster-id", "seven");
      config.getData().put("max-connected-clusters", "100");
      admin.configMaps().resource(config).update();
      assertThat(new MemberInspector("settings").inspect(admin).findings())
          .extracting(Finding::message)
          .contains("cilium-config.cluster-id: \"seven\" must be a number",
              "cilium-config.max-connected-clusters: \"100\" must be 255 or 511");

      admin.configMaps().inNamespace("kube-system").withName("cilium-config").delete();
      assertThat(new MemberInspector("settings").inspect(admin).findings())
          .extracting(Finding::message)
          .anyMatch(message -> message.startsWith("cilium-config (ConfigMap kube-system/cilium-config) does not exist"));
    }
  }

  @Test
  @DisplayName("an unreachable member is one finding, not an exception")
  void unreachableMember() {
    SimulatedCluster cluster = clusters.cluster("outage");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster)) {
      clusters.stop("outage");
      try {
        MemberFacts facts = new MemberInspector("outage").inspect(admin);
        assertThat(facts.reachable()).isFalse();
        assertThat(facts.kubeSystemUid()).isEmpty();
        assertThat(facts.findings()).singleElement().satisfies(finding -> {
          assertThat(finding.field()).isEqualTo("member-api");
          assertThat(finding.message()).contains(cluster.apiServerUrl().toString()).contains("is not reachable");
        });
      } finally {
        clusters.start("outage");
      }
      assertThat(new MemberInspector("outage").inspect(admin).reachable()).isTrue();
    }
  }

  @Test
  @DisplayName("a token the member does not know is one finding about the kubeconfig")
  void refusedCredentials(@TempDir Path dir) throws IOException {
    SimulatedCluster cluster = clusters.cluster("facts");
    String kubeconfig = Files.readString(cluster.kubeconfig());
    Path forged = Files.writeString(dir.resolve("forged.yaml"),
        kubeconfig.replaceAll("token: .*", "token: not-a-token-of-this-cluster"));
    try (KubernetesClient client = MemberConnection.fromKubeconfig(forged, null, SimulatedMembers.FAST)) {
      MemberFacts facts = new MemberInspector("facts").inspect(client);
      assertThat(facts.reachable()).isTrue();
      assertThat(facts.findings()).extracting(Finding::message).singleElement().asString()
          .startsWith("kubeconfig credentials are refused").contains("HTTP 401");
    }
  }

  @Test
  void theReadonlyUserReallyIsReadonly() {
    // Guards the premise of (b): if the profile could write, the test above would prove nothing.
    try (KubernetesClient viewer = SimulatedMembers.user(clusters.cluster("facts"), "viewer")) {
      assertThat(viewer.namespaces().withName("kube-system").get()).isNotNull();
      assertThatThrownBy(() -> viewer.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName("viewer-was-here").endMetadata().build()).create())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
  }
}
