package io.meshfed.simcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A PolicyRule matches requests as RBAC's RuleAllows does")
class PolicyRuleTest {

  private static RequestInfo request(String verb, String group, String resource, String subresource, String name) {
    return RequestInfo.resource(verb, group, resource, subresource, "ns", name);
  }

  @Test
  @DisplayName("verbs, groups and resources match exactly or by '*'; the core group is \"\"")
  void verbsGroupsResources() {
    PolicyRule secrets = PolicyRule.resourceRule(List.of(""), List.of("secrets"), List.of("get", "list"));
    assertThat(secrets.allows(request("get", "", "secrets", "", "x"))).isTrue();
    assertThat(secrets.allows(request("list", "", "secrets", "", ""))).isTrue();
    assertThat(secrets.allows(request("update", "", "secrets", "", "x"))).isFalse();
    assertThat(secrets.allows(request("get", "apps", "secrets", "", "x"))).as("other group").isFalse();
    assertThat(secrets.allows(request("get", "", "configmaps", "", "x"))).isFalse();

    PolicyRule everything = PolicyRule.resourceRule(List.of("*"), List.of("*"), List.of("*"));
    assertThat(everything.allows(request("deletecollection", "cilium.io", "ciliumendpoints", "", ""))).isTrue();
    assertThat(everything.allows(request("create", "", "serviceaccounts", "token", "sa"))).isTrue();
  }

  @Test
  @DisplayName("a rule for a resource does not cover its subresources; 'resource/sub' and '*/sub' do")
  void subresources() {
    PolicyRule nodes = PolicyRule.resourceRule(List.of("cilium.io"), List.of("ciliumnodes"), List.of("update"));
    assertThat(nodes.allows(request("update", "cilium.io", "ciliumnodes", "", "n1"))).isTrue();
    assertThat(nodes.allows(request("update", "cilium.io", "ciliumnodes", "status", "n1"))).isFalse();

    PolicyRule status = PolicyRule.resourceRule(List.of("cilium.io"), List.of("ciliumnodes/status"), List.of("update"));
    assertThat(status.allows(request("update", "cilium.io", "ciliumnodes", "status", "n1"))).isTrue();
    assertThat(status.allows(request("update", "cilium.io", "ciliumnodes", "", "n1"))).isFalse();

    PolicyRule anyStatus = PolicyRule.resourceRule(List.of("*"), List.of("*/status"), List.of("update"));
    assertThat(anyStatus.allows(request("update", "cilium.io", "ciliumnodes", "status", "n1"))).isTrue();
    assertThat(anyStatus.allows(request("update", "cilium.io", "ciliumnodes", "scale", "n1"))).isFalse();
    assertThat(anyStatus.allows(request("update", "cilium.io", "ciliumnodes", "", "n1"))).isFalse();
  }

  @Test
  @DisplayName("resourceNames bind requests that name an object: get/update/delete and subresources, not"
      + " list, watch or create of the resource")
  void resourceNames() {
    PolicyRule onlyX = PolicyRule.resourceRule(List.of(""), List.of("secrets"),
        List.of("get", "list", "watch", "create", "update", "delete")).withResourceNames(List.of("x"));
    assertThat(onlyX.allows(request("get", "", "secrets", "", "x"))).isTrue();
    assertThat(onlyX.allows(request("update", "", "secrets", "", "x"))).isTrue();
    assertThat(onlyX.allows(request("delete", "", "secrets", "", "x"))).isTrue();
    assertThat(onlyX.allows(request("get", "", "secrets", "", "y"))).isFalse();
    assertThat(onlyX.allows(request("list", "", "secrets", "", ""))).isFalse();
    assertThat(onlyX.allows(request("watch", "", "secrets", "", ""))).isFalse();
    assertThat(onlyX.allows(request("create", "", "secrets", "", ""))).isFalse();
    assertThat(onlyX.allows(request("list", "", "secrets", "", "x"))).as("list with fieldSelector metadata.name=x")
        .isTrue();

    PolicyRule ownToken = PolicyRule.resourceRule(List.of(""), List.of("serviceaccounts/token"), List.of("create"))
        .withResourceNames(List.of("controller"));
    assertThat(ownToken.allows(request("create", "", "serviceaccounts", "token", "controller"))).isTrue();
    assertThat(ownToken.allows(request("create", "", "serviceaccounts", "token", "other"))).isFalse();
  }

  @Test
  @DisplayName("nonResourceURLs match paths exactly, by '*' or by a prefix ending in '*'; never resources")
  void nonResourceUrls() {
    PolicyRule discovery = PolicyRule.nonResourceRule(List.of("/apis", "/apis/*", "/version"), List.of("get"));
    assertThat(discovery.allows(RequestInfo.nonResource("get", "/apis"))).isTrue();
    assertThat(discovery.allows(RequestInfo.nonResource("get", "/apis/cilium.io/v2"))).isTrue();
    assertThat(discovery.allows(RequestInfo.nonResource("get", "/version"))).isTrue();
    assertThat(discovery.allows(RequestInfo.nonResource("get", "/versionz"))).isFalse();
    assertThat(discovery.allows(RequestInfo.nonResource("post", "/apis"))).isFalse();
    assertThat(discovery.allows(request("get", "", "secrets", "", "x"))).isFalse();
    assertThat(PolicyRule.resourceRule(List.of("*"), List.of("*"), List.of("*"))
        .allows(RequestInfo.nonResource("get", "/version"))).as("resource rules never match paths").isFalse();
  }
}
