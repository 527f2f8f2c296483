package io.meshfed.testkit.simcluster;

import static io.meshfed.testkit.simcluster.RbacFixtures.failureOf;
import static io.meshfed.testkit.simcluster.RbacFixtures.mayI;
import static io.meshfed.testkit.simcluster.RbacFixtures.requestToken;
import static io.meshfed.testkit.simcluster.RbacFixtures.rule;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Simulated clusters authorize like an API server with RBAC")
class SimulatedClusterRbacTest {

  private static final String CLUSTER = "rbac";

  private static SimulatedClusters clusters;
  private static KubernetesClient admin;
  private static RbacFixtures fixtures;

  @BeforeAll
  static void startSimulatedCluster() {
    clusters = SimulatedClusters.builder().cluster(CLUSTER, 21).user("viewer", UserProfile.READONLY)
        .nodes(2).identities(1).endpoints(1).services(1).start();
    admin = SimulatedClusterClients.connect(clusters.cluster(CLUSTER));
    fixtures = new RbacFixtures(admin);
  }

  @AfterAll
  static void stopSimulatedCluster() {
    if (admin != null) {
      admin.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }

  @Test
  @DisplayName("a readonly user lists but gets 403 on create, and SelfSubjectAccessReview agrees")
  void readonlyUserCanListButNotCreate() {
    try (KubernetesClient viewer = SimulatedClusterClients.connect(clusters.cluster(CLUSTER).kubeconfig("viewer"))) {
      assertThat(viewer.configMaps().inNamespace("kube-system").list().getItems())
          .extracting(configMap -> configMap.getMetadata().getName()).contains("cilium-config");
      assertThat(viewer.nodes().list().getItems()).hasSize(2);

      KubernetesClientException forbidden = failureOf(() -> viewer.configMaps().inNamespace("default")
          .resource(new ConfigMapBuilder().withNewMetadata().withName("nope").endMetadata().build()).create());
      assertThat(forbidden.getCode()).isEqualTo(403);
      assertThat(forbidden.getStatus().getReason()).isEqualTo("Forbidden");
      assertThat(forbidden.getStatus().getMessage()).isEqualTo("configmaps is forbidden: User \"viewer\" cannot"
          + " create resource \"configmaps\" in API group \"\" in the namespace \"default\"");
      assertThat(admin.configMaps().inNamespace("default").withName("nope").get()).isNull();

      assertThat(mayI(viewer, "create", "configmaps", "default", null)).isFalse();
      assertThat(mayI(viewer, "list", "configmaps", "default", null)).isTrue();
    }
  }

  @Test
  @DisplayName("a Role granting get/update on secret x lets the ServiceAccount's token read and update x,"
      + " nothing else")
  void roleGrantsOneSecretOnly() {
    String ns = "join-secret";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    fixtures.secret(ns, "x", "one");
    fixtures.secret(ns, "y", "two");
    fixtures.grantInNamespace(ns, "controller", "secret-x", rule("", "secrets", List.of("get", "update"), "x"));
    String token = fixtures.requestToken(ns, "controller", 600L).getStatus().getToken();

    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), token)) {
      var secrets = controller.secrets().inNamespace(ns);
      Secret x = secrets.withName("x").get();
      assertThat(x.getMetadata().getName()).isEqualTo("x");
      x.setStringData(Map.of("value", "updated"));
      secrets.resource(x).update();
      assertThat(admin.secrets().inNamespace(ns).withName("x").get().getStringData())
          .containsEntry("value", "updated");

      KubernetesClientException getY = failureOf(() -> secrets.withName("y").get());
      assertThat(getY.getCode()).isEqualTo(403);
      assertThat(getY.getStatus().getMessage()).isEqualTo("secrets \"y\" is forbidden: User"
          + " \"system:serviceaccount:join-secret:controller\" cannot get resource \"secrets\" in API group \"\""
          + " in the namespace \"join-secret\"");
      assertThat(failureOf(() -> secrets.list()).getCode()).as("list").isEqualTo(403);
      assertThat(failureOf(() -> secrets.withName("x").edit(s -> s)).getCode()).as("patch is not granted")
          .isEqualTo(403);
      assertThat(failureOf(() -> controller.secrets().inNamespace("kube-system").withName("x").get()).getCode())
          .as("another namespace").isEqualTo(403);

      assertThat(mayI(controller, "update", "secrets", ns, "x")).isTrue();
      assertThat(mayI(controller, "list", "secrets", ns, null)).isFalse();
    }
  }

  @Test
  @DisplayName("a ClusterRole bound by a ClusterRoleBinding lets the ServiceAccount list nodes cluster-wide")
  void clusterRoleBindingGrantsListNodes() {
    String ns = "join-nodes";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    String token = fixtures.requestToken(ns, "controller", null).getStatus().getToken();

    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), token)) {
      KubernetesClientException before = failureOf(() -> controller.nodes().list());
      assertThat(before.getStatus().getMessage()).isEqualTo("nodes is forbidden: User"
          + " \"system:serviceaccount:join-nodes:controller\" cannot list resource \"nodes\" in API group \"\" at the"
          + " cluster scope");

      fixtures.grantClusterWide(ns, "controller", "meshfed-node-lister", rule("", "nodes", List.of("list")));

      assertThat(controller.nodes().list().getItems()).hasSize(2);
      String nodeName = admin.nodes().list().getItems().get(0).getMetadata().getName();
      assertThat(failureOf(() -> controller.nodes().withName(nodeName).get()).getCode()).as("get is not granted")
          .isEqualTo(403);
    }
  }

  @Test
  @DisplayName("create serviceaccounts/token with resourceNames lets a ServiceAccount renew its own token only")
  void serviceAccountRenewsOnlyItsOwnToken() {
    String ns = "join-renew";
    fixtures.namespace(ns);
    fixtures.serviceAccount(ns, "controller");
    fixtures.serviceAccount(ns, "other");
    fixtures.grantInNamespace(ns, "controller", "renew-own-token",
        rule("", "serviceaccounts/token", List.of("create"), "controller"));
    String first = fixtures.requestToken(ns, "controller", 600L).getStatus().getToken();

    String renewed;
    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), first)) {
      renewed = requestToken(controller, ns, "controller", 3600L).getStatus().getToken();
      assertThat(renewed).isNotEqualTo(first);

      KubernetesClientException other = failureOf(() -> requestToken(controller, ns, "other", 3600L));
      assertThat(other.getCode()).isEqualTo(403);
      assertThat(other.getStatus().getMessage()).isEqualTo("serviceaccounts \"other\" is forbidden: User"
          + " \"system:serviceaccount:join-renew:controller\" cannot create resource \"serviceaccounts/token\" in API"
          + " group \"\" in the namespace \"join-renew\"");
    }
    try (KubernetesClient controller = SimulatedClusterClients.connectWithToken(clusters.cluster(CLUSTER), renewed)) {
      assertThat(mayI(controller, "create", "serviceaccounts", ns, "controller")).as("not the token subresource")
          .isFalse();
      assertThat(requestToken(controller, ns, "controller", 600L).getStatus().getToken()).isNotBlank();
    }
  }
}
