package io.meshfed.simcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RBAC evaluation: bindings, subjects, namespaces and the built-in policy")
class RbacPolicyTest {

  private static final UserInfo CONTROLLER = UserInfo.serviceAccount("meshfed", "controller");
  private static final PolicyRule READ_SECRETS = PolicyRule.resourceRule(List.of(""), List.of("secrets"),
      List.of("get", "list"));
  private static final PolicyRule LIST_NODES = PolicyRule.resourceRule(List.of(""), List.of("nodes"), List.of("list"));

  private static RequestInfo getSecret(String namespace) {
    return RequestInfo.resource("get", "", "secrets", "", namespace, "x");
  }

  private static RbacPolicy.Builder withBootstrap() {
    return BootstrapPolicy.addTo(RbacPolicy.builder());
  }

  @Test
  @DisplayName("a RoleBinding grants its Role only in its namespace, and says so in the reason")
  void roleBindingIsNamespaced() {
    RbacPolicy policy = RbacPolicy.builder()
        .role("meshfed", "reader", List.of(READ_SECRETS))
        .binding(Binding.roleBinding("meshfed", "reader", Binding.ROLE, "reader",
            List.of(Subject.serviceAccount("meshfed", "controller"))))
        .build();
    Decision inNamespace = policy.authorize(CONTROLLER, getSecret("meshfed"));
    assertThat(inNamespace.allowed()).isTrue();
    assertThat(inNamespace.reason()).isEqualTo("RBAC: allowed by RoleBinding \"reader/meshfed\" of Role \"reader\" to"
        + " ServiceAccount \"controller/meshfed\"");
    assertThat(policy.authorize(CONTROLLER, getSecret("kube-system")).allowed()).isFalse();
    assertThat(policy.authorize(UserInfo.serviceAccount("meshfed", "other"), getSecret("meshfed")).allowed())
        .as("another ServiceAccount").isFalse();
  }

  @Test
  @DisplayName("a ClusterRoleBinding grants everywhere; a RoleBinding to a ClusterRole only in its namespace")
  void clusterRoles() {
    RbacPolicy policy = RbacPolicy.builder()
        .clusterRole("node-lister", List.of(LIST_NODES))
        .clusterRole("secret-reader", List.of(READ_SECRETS))
        .binding(Binding.clusterRoleBinding("nodes", "node-lister", List.of(Subject.serviceAccount("meshfed",
            "controller"))))
        .binding(Binding.roleBinding("ns-0", "secrets", Binding.CLUSTER_ROLE, "secret-reader",
            List.of(Subject.serviceAccount("meshfed", "controller"))))
        .build();
    assertThat(policy.authorize(CONTROLLER, RequestInfo.resource("list", "", "nodes", "", "", "")).allowed()).isTrue();
    assertThat(policy.authorize(CONTROLLER, getSecret("ns-0")).allowed()).isTrue();
    assertThat(policy.authorize(CONTROLLER, getSecret("ns-1")).allowed()).isFalse();
    assertThat(policy.authorize(CONTROLLER, RequestInfo.resource("list", "", "secrets", "", "", "")).allowed())
        .as("cluster-wide list of secrets").isFalse();
  }

  @Test
  @DisplayName("subjects: groups of ServiceAccounts, users, and a ServiceAccount without namespace in a RoleBinding")
  void subjects() {
    RbacPolicy policy = RbacPolicy.builder()
        .clusterRole("secret-reader", List.of(READ_SECRETS))
        .binding(Binding.roleBinding("a", "all-sas", Binding.CLUSTER_ROLE, "secret-reader",
            List.of(Subject.group("system:serviceaccounts:meshfed"))))
        .binding(Binding.roleBinding("b", "alice", Binding.CLUSTER_ROLE, "secret-reader",
            List.of(Subject.user("alice"))))
        .binding(Binding.roleBinding("meshfed", "local-sa", Binding.CLUSTER_ROLE, "secret-reader",
            List.of(new Subject(Subject.SERVICE_ACCOUNT, "controller", null))))
        .build();
    assertThat(policy.authorize(CONTROLLER, getSecret("a")).allowed()).isTrue();
    assertThat(policy.authorize(UserInfo.serviceAccount("other", "controller"), getSecret("a")).allowed()).isFalse();
    assertThat(policy.authorize(new UserInfo("alice", List.of(UserInfo.AUTHENTICATED)), getSecret("b")).allowed())
        .isTrue();
    assertThat(policy.authorize(CONTROLLER, getSecret("b")).allowed()).isFalse();
    assertThat(policy.authorize(CONTROLLER, getSecret("meshfed")).allowed()).isTrue();
  }

  @Test
  @DisplayName("a binding to a missing role denies, and the reason names the role as the API server does")
  void missingRole() {
    RbacPolicy policy = RbacPolicy.builder()
        .binding(Binding.roleBinding("meshfed", "dangling", Binding.ROLE, "gone",
            List.of(Subject.serviceAccount("meshfed", "controller"))))
        .build();
    Decision decision = policy.authorize(CONTROLLER, getSecret("meshfed"));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reason()).isEqualTo("RBAC: role.rbac.authorization.k8s.io \"gone\" not found");
    assertThat(policy.authorize(UserInfo.serviceAccount("meshfed", "other"), getSecret("meshfed")).reason())
        .as("bindings of other subjects are not looked at").isEmpty();
  }

  @Test
  @DisplayName("built in: anyone reads /version and /healthz; authenticated users discover APIs and review access")
  void bootstrapPolicy() {
    RbacPolicy policy = withBootstrap().build();
    assertThat(policy.authorize(UserInfo.ANONYMOUS, RequestInfo.nonResource("get", "/version")).allowed()).isTrue();
    assertThat(policy.authorize(UserInfo.ANONYMOUS, RequestInfo.nonResource("get", "/healthz")).allowed()).isTrue();
    assertThat(policy.authorize(UserInfo.ANONYMOUS, RequestInfo.nonResource("get", "/apis")).allowed()).isFalse();
    assertThat(policy.authorize(CONTROLLER, RequestInfo.nonResource("get", "/apis/cilium.io/v2")).allowed()).isTrue();
    assertThat(policy.authorize(CONTROLLER, RequestInfo.resource("create", "authorization.k8s.io",
        "selfsubjectaccessreviews", "", "", "")).allowed()).isTrue();
    assertThat(policy.authorize(CONTROLLER, getSecret("meshfed")).allowed()).isFalse();
  }

  @Test
  @DisplayName("readonly profile: get, list and watch on everything, nothing else; admin: everything")
  void profiles() {
    Authorizer authorizer = new Authorizer(() -> withBootstrap().build());
    UserInfo readonly = new UserInfo("viewer", UserProfile.READONLY.groups());
    UserInfo admin = new UserInfo("admin", UserProfile.ADMIN.groups());
    RequestInfo listSecrets = RequestInfo.resource("list", "", "secrets", "", "", "");
    RequestInfo watchEndpoints = RequestInfo.resource("watch", "cilium.io", "ciliumendpoints", "", "ns-0", "");
    RequestInfo createSecret = RequestInfo.resource("create", "", "secrets", "", "ns-0", "");
    assertThat(authorizer.authorize(readonly, listSecrets).allowed()).isTrue();
    assertThat(authorizer.authorize(readonly, watchEndpoints).allowed()).isTrue();
    assertThat(authorizer.authorize(readonly, createSecret).allowed()).isFalse();
    assertThat(authorizer.authorize(admin, createSecret).allowed()).isTrue();
    assertThat(authorizer.authorize(admin, RequestInfo.nonResource("delete", "/anything")).allowed()).isTrue();
  }
}
