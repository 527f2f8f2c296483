package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MemberRbac is least privilege, and docs/member-rbac.md is the same data")
class MemberRbacTest {

  /** Verbs RBAC can limit to named objects; create (no name yet), list, watch and deletecollection cannot. */
  private static final Set<String> VERBS_LIMITED_BY_NAME = Set.of("get", "update", "patch", "delete");

  @Test
  void theDocumentedTableIsTheData() throws IOException {
    Path doc = locate("docs/member-rbac.md");
    assertThat(Files.readString(doc))
        .as("docs/member-rbac.md must contain MemberRbac.markdownTable() verbatim; regenerate the table")
        .contains(MemberRbac.markdownTable());
  }

  @Test
  void resourceNamesOnlyWhereRbacHonoursThem() {
    for (RbacRole role : MemberRbac.roles()) {
      for (RbacRule rule : role.rules()) {
        if (rule.resourceNames().isEmpty()) {
          continue;
        }
        boolean subresource = rule.resources().stream().allMatch(resource -> resource.contains("/"));
        for (String verb : rule.verbs()) {
          // create on a subresource (serviceaccounts/token) names the parent object, so it is limited.
          assertThat(VERBS_LIMITED_BY_NAME.contains(verb) || (subresource && verb.equals("create")))
              .as("%s %s: '%s' cannot be limited by resourceNames", role.kind(), role.name(), verb + " " + rule.resources())
              .isTrue();
        }
      }
    }
  }

  @Test
  void theEtcdProxyRoleOnlyGetsAndUpdatesTheProxySecrets() throws IOException {
    RbacRole role = MemberRbac.etcdProxyRole(new io.meshfed.controller.clustermesh.EtcdProxyName("edge-etcd-proxy"));
    assertThat(role.accesses()).extracting(ResourceAccess::describe).containsExactlyInAnyOrder(
        "get secrets named edge-etcd-proxy-upstream in namespace meshfed-system",
        "update secrets named edge-etcd-proxy-upstream in namespace meshfed-system",
        "get secrets named edge-etcd-proxy-server in namespace meshfed-system",
        "update secrets named edge-etcd-proxy-server in namespace meshfed-system");
    assertThat(Files.readString(locate("docs/member-rbac.md")))
        .as("docs/member-rbac.md documents the etcd proxy rule")
        .contains("| Role " + MemberRbac.ETCD_PROXY_ROLE_NAME + " | meshfed-system | core | `secrets` | `<name>-upstream`, `<name>-server` | get, update | "
            + role.rules().get(0).why() + " |");
  }

  @Test
  void secretsAreOnlyEverNamedAndNeverCreated() {
    List<ResourceAccess> secrets = MemberRbac.accesses().stream()
        .filter(access -> access.resource().equals("secrets")).toList();
    assertThat(secrets).isNotEmpty().allSatisfy(access -> {
      assertThat(access.name()).as(access.describe()).isNotNull();
      assertThat(access.verb()).as(access.describe()).isIn("get", "update");
    });
    assertThat(secrets).extracting(ResourceAccess::describe).containsExactlyInAnyOrder(
        "get secrets named cilium-clustermesh in namespace kube-system",
        "update secrets named cilium-clustermesh in namespace kube-system",
        "get secrets named cilium-ca in namespace kube-system",
        "update secrets named cilium-ca in namespace kube-system",
        "get secrets named meshfed-agent-tls in namespace meshfed-system",
        "update secrets named meshfed-agent-tls in namespace meshfed-system");
  }

  @Test
  void noWildcards() {
    assertThat(MemberRbac.accesses()).allSatisfy(access -> {
      assertThat(access.verb()).isNotEqualTo("*");
      assertThat(access.resource()).isNotEqualTo("*");
      assertThat(access.group()).isNotEqualTo("*");
    });
  }

  @Test
  void writesOnlyPoliciesClusterWide() {
    assertThat(MemberRbac.CLUSTER_ROLE.accesses())
        .filteredOn(access -> !Set.of("get", "list", "watch").contains(access.verb()))
        .extracting(ResourceAccess::resource)
        .containsOnly("ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies");
  }

  @Test
  void theJoinKubeconfigMustBeAbleToCreateAndUndoEverythingAndHoldWhatItGrants() {
    List<String> required = ProvisioningAccess.required().stream().map(ResourceAccess::describe).toList();
    assertThat(required).contains(
        "create namespaces (cluster-wide)",
        "delete namespaces (cluster-wide)",
        "create serviceaccounts in namespace meshfed-system",
        "create clusterroles.rbac.authorization.k8s.io (cluster-wide)",
        "create clusterrolebindings.rbac.authorization.k8s.io (cluster-wide)",
        "create roles.rbac.authorization.k8s.io in namespace kube-system",
        "create rolebindings.rbac.authorization.k8s.io in namespace meshfed-system",
        "create secrets in namespace kube-system",
        "create serviceaccounts/token named meshfed-controller in namespace meshfed-system",
        "get configmaps named cilium-config in namespace kube-system",
        // held to be allowed to grant it (RBAC escalation prevention)
        "watch ciliumendpoints.cilium.io (cluster-wide)",
        "delete ciliumclusterwidenetworkpolicies.cilium.io (cluster-wide)",
        "list daemonsets.apps in namespace kube-system");
    assertThat(required).as("a named secret right is implied by the unnamed one join needs anyway")
        .doesNotContain("update secrets named cilium-ca in namespace kube-system");
    assertThat(required).doesNotHaveDuplicates();
  }

  private static Path locate(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
