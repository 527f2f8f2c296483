package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.testkit.simcluster.SimulatedCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * (c) What the controller can and cannot do with the provisioned ServiceAccount's token: the
 * RBAC of {@link MemberRbac}, enforced by the simulated cluster.
 */
@DisplayName("The provisioned ServiceAccount: named Secrets, nothing else; renews its own token; expired tokens get 401")
@Timeout(120)
class MemberServiceAccountTest {

  private static final Duration TTL = Duration.ofHours(1);
  private static final ResourceDefinitionContext NETWORK_POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumNetworkPolicy").withPlural("ciliumnetworkpolicies")
      .withNamespaced(true).build();

  private static SimulatedClusters clusters;

  @BeforeAll
  static void startSimulatedClusters() {
    clusters = SimulatedClusters.builder().cluster("secrets", 21).cluster("tokens", 22)
        .nodes(1).identities(1).endpoints(1).services(1).namespaces(1)
        .start();
  }

  @AfterAll
  static void stopSimulatedClusters() {
    if (clusters != null) {
      clusters.close();
    }
  }

  private static MemberCredentials provision(SimulatedCluster cluster) {
    try (KubernetesClient admin = SimulatedMembers.admin(cluster)) {
      return new MemberProvisioner(cluster.name(), Clock.systemUTC()).provision(admin, TTL).credentials();
    }
  }

  @Test
  @DisplayName("MemberSecrets.update writes the named Secrets; other Secrets are forbidden; nothing is ever created")
  void namedSecretsOnly() {
    SimulatedCluster cluster = clusters.cluster("secrets");
    MemberCredentials credentials = provision(cluster);
    MemberSecrets secrets = new MemberSecrets("secrets");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster);
        KubernetesClient controller = MemberConnection.fromCredentials(credentials, SimulatedMembers.FAST)) {
      admin.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName("other")
          .withNamespace("kube-system").endMetadata().addToData("k", b64("v")).build()).create();

      secrets.update(controller, "meshfed-system", "meshfed-agent-tls",
          Map.of("tls.crt", bytes("certificate"), "tls.key", bytes("key")));
      secrets.update(controller, "kube-system", "cilium-clustermesh", Map.of("c2", bytes("endpoints: ...")));

      assertThat(admin.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get().getData())
          .containsExactlyInAnyOrderEntriesOf(Map.of("tls.crt", b64("certificate"), "tls.key", b64("key")));
      assertThat(admin.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get().getMetadata()
          .getLabels()).as("labels survive the update").containsEntry("app.kubernetes.io/managed-by", "meshfed");
      assertThat(admin.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get().getData())
          .containsEntry("c2", b64("endpoints: ..."));

      assertForbidden(() -> controller.secrets().inNamespace("kube-system").withName("other").get());
      assertForbidden(() -> controller.secrets().inNamespace("kube-system").list());
      assertForbidden(() -> controller.secrets().inNamespace("meshfed-system").resource(new SecretBuilder()
          .withNewMetadata().withName("new-one").withNamespace("meshfed-system").endMetadata().build()).create());
      assertThatThrownBy(() -> secrets.update(controller, "kube-system", "other", Map.of("k", bytes("x"))))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.httpCode()).isEqualTo(403);
            assertThat(e.getMessage()).contains("kube-system/other").contains("docs/member-rbac.md");
          });
      assertThat(admin.secrets().inNamespace("kube-system").withName("other").get().getData())
          .containsEntry("k", b64("v"));

      // Someone deleted a named Secret: the controller cannot (and must not) create it.
      admin.secrets().inNamespace("kube-system").withName("cilium-clustermesh").delete();
      assertThatThrownBy(() -> secrets.update(controller, "kube-system", "cilium-clustermesh", Map.of()))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.httpCode()).isEqualTo(404);
            assertThat(e.getMessage()).contains("kube-system/cilium-clustermesh does not exist")
                .contains("join the member again");
          });
    }
  }

  @Test
  @DisplayName("the granted reads and policy writes work with the token, admin-only things do not")
  void grantedRightsWorkAndNoMore() {
    SimulatedCluster cluster = clusters.cluster("secrets");
    MemberCredentials credentials = provision(cluster);
    try (KubernetesClient controller = MemberConnection.fromCredentials(credentials, SimulatedMembers.FAST)) {
      assertThat(controller.nodes().list().getItems()).isNotEmpty();
      assertThat(controller.apps().daemonSets().inNamespace("kube-system").withName("cilium").get()).isNotNull();
      assertThat(controller.configMaps().inNamespace("kube-system").withName("cilium-config").get().getData())
          .containsEntry("cluster-name", "secrets");
      controller.genericKubernetesResources(NETWORK_POLICIES).inNamespace("ns-0").resource(
          new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2").withKind("CiliumNetworkPolicy")
              .withNewMetadata().withName("mesh-policy").withNamespace("ns-0").endMetadata()
              .addToAdditionalProperties("spec", Map.of("endpointSelector", Map.of())).build())
          .create();

      assertForbidden(() -> controller.configMaps().inNamespace("kube-system").withName("coredns").get());
      assertForbidden(() -> controller.namespaces().list());
      assertForbidden(() -> controller.rbac().clusterRoles().withName("meshfed-member").edit(role -> role));
      assertForbidden(() -> controller.apps().daemonSets().inNamespace("default").list());
    }
  }

  @Test
  @DisplayName("MemberTokens.renew works with the token itself; after expireServiceAccountTokens the old token gets 401")
  void tokensRenewThemselvesAndExpire() {
    SimulatedCluster cluster = clusters.cluster("tokens");
    MemberCredentials first = provision(cluster);
    MemberTokens tokens = new MemberTokens("tokens", Clock.systemUTC());

    MemberCredentials renewed;
    try (KubernetesClient controller = MemberConnection.fromCredentials(first, SimulatedMembers.FAST)) {
      renewed = tokens.renew(controller, first, Duration.ofMinutes(30));
    }
    assertThat(renewed.token()).isNotEqualTo(first.token());
    assertThat(renewed.server()).isEqualTo(first.server());
    assertThat(renewed.lifetime()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(30).plusSeconds(5));
    assertThat(MemberTokens.needsRenewal(renewed, Clock.systemUTC())).isFalse();
    try (KubernetesClient controller = MemberConnection.fromCredentials(renewed, SimulatedMembers.FAST)) {
      assertThat(controller.services().inAnyNamespace().list().getItems()).isNotEmpty();
      // The token may renew only its own ServiceAccount.
      assertForbidden(() -> controller.serviceAccounts().inNamespace("kube-system").withName("default").tokenRequest(
          new TokenRequestBuilder().withNewSpec()
              .withExpirationSeconds(600L).endSpec().build()));
    }

    assertThat(clusters.expireServiceAccountTokens("tokens")).isGreaterThanOrEqualTo(2);

    try (KubernetesClient controller = MemberConnection.fromCredentials(first, SimulatedMembers.FAST)) {
      assertThatThrownBy(() -> controller.services().inAnyNamespace().list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
      assertThatThrownBy(() -> tokens.renew(controller, first, Duration.ofMinutes(30)))
          .isInstanceOfSatisfying(MemberApiException.class, e -> {
            assertThat(e.httpCode()).isEqualTo(401);
            assertThat(e.getMessage()).contains("join the member again");
          });
    }
    // Joining again (admin kubeconfig) gives a working token; the objects are all still there.
    MemberCredentials rejoined = provision(cluster);
    try (KubernetesClient controller = MemberConnection.fromCredentials(rejoined, SimulatedMembers.FAST)) {
      assertThat(controller.services().inAnyNamespace().list().getItems()).isNotEmpty();
    }
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(bytes(text));
  }
}
