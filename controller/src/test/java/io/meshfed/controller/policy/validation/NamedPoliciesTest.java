package io.meshfed.controller.policy.validation;

import static io.meshfed.controller.policy.validation.PolicyTesting.VALIDATOR;
import static io.meshfed.controller.policy.validation.PolicyTesting.fields;
import static io.meshfed.controller.policy.validation.PolicyTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The policies of issue #5, as users will write them. */
class NamedPoliciesTest {

  static final String L7_RULE = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-rule
        namespace: default
      spec:
        endpointSelector:
          matchLabels:
            app: myService
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: frontend
          toPorts:
          - ports:
            - port: "80"
              protocol: TCP
            rules:
              http:
              - method: GET
                path: "/api/v1/data.*"
              - method: POST
                path: "/api/v1/upload"
              - method: GET
                path: "/public/.*"
      """;

  static final String ALLOW_DNS = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: allow-dns
        namespace: production
      spec:
        endpointSelector: {}
        egress:
        - toEndpoints:
          - matchLabels:
              k8s-app: kube-dns
          toPorts:
          - ports:
            - port: "53"
              protocol: UDP
            - port: "53"
              protocol: TCP
      """;

  static final String CROSS_CLUSTER = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: allow-cross-cluster
        namespace: default
      spec:
        description: "Allow x-wing in cluster1 to contact rebel-base in cluster2"
        endpointSelector:
          matchLabels:
            name: x-wing
        egress:
        - toEndpoints:
          - matchLabels:
              name: rebel-base
              io.cilium.k8s.policy.cluster: cluster2
      """;

  @Test
  void l7RuleIsAcceptedWithAWarningForItsPeerWithoutClusterLabel() {
    PolicyValidation result = VALIDATOR.validate(yaml(L7_RULE), ValidationContext.members("cluster1", "cluster2"));
    assertThat(result.errors()).as(result.summary()).isEmpty();
    assertThat(fields(result.warnings())).containsExactly("spec.ingress[0].fromEndpoints[0]");
    assertThat(result.warnings().get(0).message()).contains("policy-default-local-cluster");
  }

  @Test
  void allowDnsIsAcceptedWithAWarningForItsPeerWithoutClusterLabel() {
    PolicyValidation result = VALIDATOR.validate(yaml(ALLOW_DNS), ValidationContext.members("cluster1"));
    assertThat(result.errors()).as(result.summary()).isEmpty();
    assertThat(fields(result.warnings())).containsExactly("spec.egress[0].toEndpoints[0]");
  }

  @Test
  void aCrossClusterPolicyIsAcceptedWhenItsClusterIsAMember() {
    PolicyValidation result = VALIDATOR.validate(yaml(CROSS_CLUSTER), ValidationContext.members("cluster1", "cluster2"));
    assertThat(result.errors()).as(result.summary()).isEmpty();
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void aCrossClusterPolicyIsRefusedWhenItsClusterIsNotAMember() {
    PolicyValidation result = VALIDATOR.validate(yaml(CROSS_CLUSTER), ValidationContext.members("cluster1", "cluster3"));
    assertThat(result.errors()).singleElement().satisfies(f -> assertThat(f.message()).isEqualTo(
        "spec.egress[0].toEndpoints[0].matchLabels.io.cilium.k8s.policy.cluster: \"cluster2\" must name a member of the mesh (members: cluster1, cluster3)"));
  }
}
