package io.meshfed.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Objects seeded straight into the store must behave exactly like objects created over HTTP. */
class SimulatedClusterTest {

  private static final ResourceDefinitionContext ENDPOINTS = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumEndpoint").withPlural("ciliumendpoints")
      .withNamespaced(true).build();

  private SimulatedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void seedAndStart() {
    ClusterSpec spec = new ClusterSpec("unit", 5, 0);
    cluster = new SimulatedCluster(spec);
    new ClusterSeeder(spec, new SeedSizes(2, 4, 8, 2, 2), 255, CiliumCrds.load(null)).seed(cluster.dispatcher());
    cluster.start();
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + cluster.port())
        .withOauthToken(cluster.auth().adminToken()).withRequestRetryBackoffLimit(0).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.stop();
  }

  @Test
  @DisplayName("seeded objects can be selected by label, updated with their resourceVersion and deleted")
  void seededObjectsSupportCrud() {
    var endpoints = client.genericKubernetesResources(ENDPOINTS).inNamespace("ns-1");
    List<GenericKubernetesResource> app1 = endpoints.withLabel("app", "app-1").list().getItems();
    assertThat(app1).extracting(e -> e.getMetadata().getName()).containsExactlyInAnyOrder("app-1-0", "app-1-1");

    GenericKubernetesResource updated = endpoints.withName("app-1-0").edit(endpoint -> {
      endpoint.<Map<String, Object>>get("status").put("state", "disconnecting");
      return endpoint;
    });
    assertThat(updated.<String>get("status", "state")).isEqualTo("disconnecting");
    assertThat(endpoints.withName("app-1-0").get().<String>get("status", "state")).isEqualTo("disconnecting");

    endpoints.withName("app-1-0").delete();
    assertThat(endpoints.withLabel("app", "app-1").list().getItems()).hasSize(1);
    assertThat(client.genericKubernetesResources(ENDPOINTS).inAnyNamespace().list().getItems()).hasSize(7);
  }

  @Test
  @DisplayName("/version and discovery answer like an API server instead of listing the store")
  void versionAndDiscovery() {
    assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
    assertThat(client.getApiGroups().getGroups()).extracting(group -> group.getName()).contains("cilium.io");
    assertThat(client.getApiResources("cilium.io/v2").getResources()).extracting(r -> r.getName())
        .contains("ciliumendpoints", "ciliumnetworkpolicies");
  }

  @Test
  @DisplayName("without a token only the public paths answer; the store is 401 as with an API server")
  void anonymousSeesOnlyPublicPaths() {
    Config anonymousConfig = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + cluster.port())
        .withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient anonymous = new KubernetesClientBuilder().withConfig(anonymousConfig).build()) {
      assertThat(anonymous.getKubernetesVersion().getGitVersion()).isEqualTo("v1.31.0");
      assertThatThrownBy(() -> anonymous.namespaces().list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(401);
            assertThat(e.getStatus().getReason()).isEqualTo("Unauthorized");
          });
    }
  }

  @Test
  @DisplayName("review APIs other than SelfSubjectAccessReview are 404, not stored and echoed as objects")
  void unservedReviewApis() {
    assertThatThrownBy(() -> client.authorization().v1().selfSubjectRulesReview().create(
        new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace("default").endSpec().build()))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }

  @Test
  @DisplayName("stop closes the port, start reopens the same port with the same objects")
  void outageKeepsData() {
    int port = cluster.port();
    String uid = client.namespaces().withName("kube-system").get().getMetadata().getUid();
    cluster.stop();
    assertThatThrownBy(() -> client.namespaces().withName("kube-system").get())
        .isInstanceOf(KubernetesClientException.class);
    cluster.start();
    assertThat(cluster.port()).isEqualTo(port);
    assertThat(client.namespaces().withName("kube-system").get().getMetadata().getUid()).isEqualTo(uid);
  }
}
