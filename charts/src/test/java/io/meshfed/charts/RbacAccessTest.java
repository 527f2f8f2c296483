package io.meshfed.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The RBAC document parser, on the layout the project's RBAC documents use. */
class RbacAccessTest {

  @Test
  void readsTheMemberRbacTable() {
    Set<RbacAccess> member = RbacAccess.fromMarkdown(Charts.read(Charts.helmDir().resolveSibling("docs").resolve("member-rbac.md")));
    assertThat(member)
        .contains(new RbacAccess("", "services", "", "watch"), new RbacAccess("discovery.k8s.io", "endpointslices", "", "list"),
            new RbacAccess("", "secrets", "cilium-ca", "update"), new RbacAccess("", "configmaps", "cilium-config", "get"))
        .doesNotContain(new RbacAccess("", "configmaps", "", "get"));
  }

  @Test
  void readsNonResourceUrlsAndAnyNames() {
    String doc = """
        Some text.

        | role | scope | API group | resources | resource names | verbs | why |
        |---|---|---|---|---|---|---|
        | ClusterRole meshfed-agent | cluster-wide | core | `nodes` | any | get, list | x |
        | ClusterRole meshfed-agent | cluster-wide | - | `/version`, `/readyz` | - | get | y |
        | Role meshfed-agent | kube-system | apps | `daemonsets` | `cilium` | get | z |

        | not | a rights table |
        |---|---|
        | core | nodes |
        """;
    assertThat(RbacAccess.fromMarkdown(doc)).containsExactlyInAnyOrder(
        new RbacAccess("", "nodes", "", "get"), new RbacAccess("", "nodes", "", "list"),
        new RbacAccess("", "/version", "", "get"), new RbacAccess("", "/readyz", "", "get"),
        new RbacAccess("apps", "daemonsets", "cilium", "get"));
  }

  @Test
  void documentedSetHasNoWriteVerb() {
    assertThat(AgentChartTest.DOCUMENTED).extracting(RbacAccess::verb).containsOnly("get", "list", "watch");
  }
}
