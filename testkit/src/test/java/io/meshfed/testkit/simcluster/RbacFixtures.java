package io.meshfed.testkit.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What the join tests set up in a simulated cluster with the admin client, as {@code meshfed join}
 * will: namespaces, ServiceAccounts, Roles and bindings, TokenRequests. Each method creates one
 * object and returns what the test needs next.
 */
final class RbacFixtures {

  private final KubernetesClient admin;

  RbacFixtures(KubernetesClient admin) {
    this.admin = admin;
  }

  void namespace(String name) {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
  }

  void serviceAccount(String namespace, String name) {
    admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build()).create();
  }

  void secret(String namespace, String name, String value) {
    admin.secrets().inNamespace(namespace).resource(new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withStringData(Map.of("value", value)).build()).create();
  }

  /** A Role with these rules, bound to the ServiceAccount of the same namespace by a RoleBinding of the same name. */
  void grantInNamespace(String namespace, String serviceAccount, String roleName, PolicyRule... rules) {
    admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder()
        .withNewMetadata().withName(roleName).withNamespace(namespace).endMetadata()
        .withRules(rules).build()).create();
    admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
        .withNewMetadata().withName(roleName).withNamespace(namespace).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(roleName).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(namespace).endSubject()
        .build()).create();
  }

  /** A ClusterRole with these rules, bound cluster-wide to the ServiceAccount by a ClusterRoleBinding. */
  void grantClusterWide(String namespace, String serviceAccount, String roleName, PolicyRule... rules) {
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder()
        .withNewMetadata().withName(roleName).endMetadata().withRules(rules).build()).create();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName(roleName).endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(roleName)
        .endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(namespace).endSubject()
        .build()).create();
  }

  /** A TokenRequest made by the admin; its answer carries status.token and status.expirationTimestamp. */
  TokenRequest requestToken(String namespace, String serviceAccount, Long expirationSeconds) {
    return requestToken(admin, namespace, serviceAccount, expirationSeconds);
  }

  static TokenRequest requestToken(KubernetesClient client, String namespace, String serviceAccount,
      Long expirationSeconds) {
    return client.serviceAccounts().inNamespace(namespace).withName(serviceAccount).tokenRequest(
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(expirationSeconds).endSpec().build());
  }

  static PolicyRule rule(String apiGroup, String resource, List<String> verbs, String... resourceNames) {
    return new PolicyRuleBuilder().withApiGroups(apiGroup).withResources(resource).withVerbs(verbs)
        .withResourceNames(resourceNames).build();
  }

  /** Asks the simulated cluster whether the client's own user may do this (SelfSubjectAccessReview). */
  static boolean mayI(KubernetesClient client, String verb, String resource, String namespace, String name) {
    SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
        new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
            .withVerb(verb).withResource(resource).withNamespace(namespace).withName(name)
            .endResourceAttributes().endSpec().build());
    return review.getStatus().getAllowed();
  }

  /** The API error a call ends with; fails the test if it succeeds or fails otherwise. */
  static KubernetesClientException failureOf(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("the call should have been refused").isInstanceOf(KubernetesClientException.class);
    return (KubernetesClientException) thrown;
  }
}
