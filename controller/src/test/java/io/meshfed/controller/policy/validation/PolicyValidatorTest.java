package io.meshfed.controller.policy.validation;

import static io.meshfed.controller.policy.validation.PolicyTesting.MESH;
import static io.meshfed.controller.policy.validation.PolicyTesting.VALIDATOR;
import static io.meshfed.controller.policy.validation.PolicyTesting.errorAt;
import static io.meshfed.controller.policy.validation.PolicyTesting.fields;
import static io.meshfed.controller.policy.validation.PolicyTesting.validate;
import static io.meshfed.controller.policy.validation.PolicyTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.api.cluster.Finding;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

  /** A CNP in namespace {@code prod} with {@code spec} indented from the given body (2-space YAML). */
  static String cnp(String spec) {
    return "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: prod\nspec:\n" + indented(spec);
  }

  static String ccnp(String spec) {
    return "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: p\nspec:\n" + indented(spec);
  }

  /** An egress rule to endpoints of cluster1 with the given extra lines for its first item. */
  static String egress(String rule) {
    return "endpointSelector: {}\negress:\n- toEndpoints:\n  - matchLabels: {io.cilium.k8s.policy.cluster: cluster1}\n" + indented(rule);
  }

  static String ingress(String rule) {
    return "endpointSelector: {}\ningress:\n- fromEndpoints:\n  - matchLabels: {io.cilium.k8s.policy.cluster: cluster1}\n" + indented(rule);
  }

  /** The lines of {@code yaml} two spaces deeper, each ending in a newline. */
  private static String indented(String yaml) {
    return yaml.stripIndent().lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }

  @Test
  void aMinimalPolicyIsValid() {
    PolicyValidation result = validate(cnp(egress("")));
    assertThat(result.errors()).as(result.summary()).isEmpty();
    assertThat(result.warnings()).isEmpty();
    assertThat(result.isValid()).isTrue();
  }

  @Nested
  class TopLevel {
    @Test
    void apiVersionMustBeCiliumV2() {
      assertThat(errorAt(validate(cnp(egress("")).replace("cilium.io/v2", "cilium.io/v2alpha1")), "apiVersion").rule())
          .contains("must be cilium.io/v2");
      assertThat(errorAt(validate(cnp(egress("")).replace("apiVersion: cilium.io/v2\n", "")), "apiVersion").rule()).contains("is required");
    }

    @Test
    void anotherKindIsRefusedAndNotValidatedFurther() {
      PolicyValidation result = validate("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {podSelector: {}}\n");
      assertThat(fields(result.errors())).containsExactly("apiVersion", "kind");
    }

    @Test
    void unknownTopLevelFieldsAreRefusedWithAHint() {
      PolicyValidation result = validate(cnp(egress("")) + "description: top\n");
      assertThat(errorAt(result, "description").rule()).contains("move it into spec");
    }

    @Test
    void specOrSpecsIsRequired() {
      PolicyValidation result = validate("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: prod}\n");
      errorAt(result, "spec");
    }

    @Test
    void specsItemsAreRulesToo() {
      PolicyValidation result = validate("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: prod}\n"
          + "specs:\n- endpointSelector: {}\n  egress: []\n- egress: []\n");
      assertThat(fields(result.errors())).containsExactly("specs[1].endpointSelector");
    }

    @Test
    void statusIsIgnoredWithAWarning() {
      PolicyValidation result = validate(cnp(egress("")) + "status: {}\n");
      assertThat(result.isValid()).isTrue();
      assertThat(fields(result.warnings())).containsExactly("status");
    }

    @Test
    void anythingThatIsNotAnObjectIsRefusedWithoutThrowing() {
      JsonNodeFactory json = JsonNodeFactory.instance;
      for (JsonNode node : new JsonNode[] {null, json.nullNode(), json.textNode("x"), json.numberNode(1), json.arrayNode()}) {
        assertThat(fields(VALIDATOR.validate(node, MESH).errors())).containsExactly("document");
      }
      assertThat(VALIDATOR.validate(yaml(cnp(egress(""))), null).errors()).isNotEmpty(); // no members: cluster1 unknown
    }

    @Test
    void wrongTypesEverywhereGiveMustBeFindingsNotExceptions() {
      PolicyValidation result = validate("""
          apiVersion: 2
          kind: CiliumNetworkPolicy
          metadata: {name: [x], namespace: 7, labels: [], annotations: {a: 1}}
          spec:
            endpointSelector: []
            ingress: {}
            egress: "x"
            labels: 3
            enableDefaultDeny: {ingress: "yes"}
          specs: {}
          """);
      assertThat(result.errors()).extracting(f -> f.field() + " " + f.rule().replaceAll(",.*", ""))
          .contains("apiVersion must be a string", "metadata.name must be a string", "metadata.namespace must be a string",
              "metadata.labels must be an object", "metadata.annotations.a must be a string",
              "spec.endpointSelector must be an object", "spec.ingress must be a list", "spec.egress must be a list",
              "spec.labels must be a list", "spec.enableDefaultDeny.ingress must be a boolean (true or false)", "specs must be a list");
    }

    @Test
    void hugeListsDoNotFloodTheResult() {
      StringBuilder entities = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        entities.append("  - bogus").append(i).append('\n');
      }
      PolicyValidation result = validate(cnp("endpointSelector: {}\negress:\n- toEntities:\n" + entities.toString().indent(2)));
      assertThat(result.errors()).hasSize(Report.MAX_FINDINGS + 1);
      assertThat(result.errors().get(Report.MAX_FINDINGS).rule()).contains("4500 more errors");
    }
  }

  @Nested
  class Metadata {
    @Test
    void nameMustBeADnsSubdomain() {
      assertThat(errorAt(validate(cnp(egress("")).replace("name: p", "name: Bad_Name")), "metadata.name").rule())
          .contains("DNS-1123 subdomain");
      errorAt(validate(cnp(egress("")).replace("  name: p\n", "")), "metadata.name");
      errorAt(validate(cnp(egress("")).replace("name: p", "name: " + "a".repeat(254))), "metadata.name");
    }

    @Test
    void aNamespacedPolicyNeedsANamespaceUnlessTheContextHasADefault() {
      String noNamespace = cnp(egress("")).replace("  namespace: prod\n", "");
      errorAt(validate(noNamespace), "metadata.namespace");
      assertThat(VALIDATOR.validate(yaml(noNamespace), MESH.withDefaultNamespace("default")).isValid()).isTrue();
      assertThat(errorAt(validate(cnp(egress("")).replace("namespace: prod", "namespace: prod.eu")), "metadata.namespace").rule())
          .contains("DNS-1123 label");
    }

    @Test
    void aClusterwidePolicyMustNotHaveANamespace() {
      assertThat(validate(ccnp(egress(""))).isValid()).isTrue();
      assertThat(errorAt(validate(ccnp(egress("")).replace("  name: p\n", "  name: p\n  namespace: prod\n")), "metadata.namespace").rule())
          .contains("cluster-scoped");
    }

    @Test
    void labelsAndAnnotationsAreChecked() {
      PolicyValidation result = validate(cnp(egress("")).replace("  name: p\n",
          "  name: p\n  labels: {\"bad key!\": x, ok: \"bad value!\"}\n  annotations: {meshfed.io/cluster: a}\n"));
      assertThat(fields(result.errors())).contains("metadata.labels.bad key!", "metadata.labels.ok");
      assertThat(fields(result.warnings())).contains("metadata.annotations.meshfed.io/cluster");
    }

    @Test
    void placementAnnotationsAreValidated() {
      String both = cnp(egress("")).replace("  name: p\n",
          "  name: p\n  annotations: {meshfed.io/clusters: cluster1, meshfed.io/cluster-selector: env=prod}\n");
      errorAt(validate(both), "metadata.annotations.meshfed.io/cluster-selector");
      String badSelector = cnp(egress("")).replace("  name: p\n", "  name: p\n  annotations: {meshfed.io/cluster-selector: \"env in prod\"}\n");
      errorAt(validate(badSelector), "metadata.annotations.meshfed.io/cluster-selector");
      String unmatched = cnp(egress("")).replace("  name: p\n", "  name: p\n  annotations: {meshfed.io/clusters: \"cluster1, eu-*\"}\n");
      PolicyValidation result = validate(unmatched);
      assertThat(result.isValid()).isTrue();
      assertThat(result.warnings()).singleElement().satisfies(w -> {
        assertThat(w.field()).isEqualTo("metadata.annotations.meshfed.io/clusters");
        assertThat(w.value()).isEqualTo("eu-*");
      });
    }
  }

  @Nested
  class Rule {
    @Test
    void exactlyOneOfEndpointSelectorAndNodeSelector() {
      errorAt(validate(cnp("egress: []")), "spec.endpointSelector");
      errorAt(validate(ccnp("endpointSelector: {}\nnodeSelector: {}\negress: []")), "spec.nodeSelector");
      assertThat(validate(ccnp("nodeSelector: {}\negress: []")).isValid()).isTrue();
      assertThat(errorAt(validate(cnp("nodeSelector: {}\negress: []")), "spec.nodeSelector").rule())
          .contains("only allowed in a CiliumClusterwideNetworkPolicy");
    }

    @Test
    void atLeastOneSection() {
      errorAt(validate(cnp("endpointSelector: {}\ndescription: nothing")), "spec");
      assertThat(validate(cnp("endpointSelector: {}\ningressDeny: []")).isValid()).isTrue();
    }

    @Test
    void descriptionLabelsLogAndDefaultDeny() {
      assertThat(validate(cnp(egress("") + "description: d\nlabels: [{key: k, value: v, source: s}]\nlog: {value: audit}\n"
          + "enableDefaultDeny: {ingress: false, egress: true}")).errors()).isEmpty();
      PolicyValidation result = validate(cnp(egress("") + "labels: [{value: v}]\nlog: {value: \"" + "x".repeat(33) + "\"}\n"
          + "enableDefaultDeny: {ingress: 1, both: true}"));
      assertThat(fields(result.errors())).containsExactlyInAnyOrder("spec.labels[0].key", "spec.log.value",
          "spec.enableDefaultDeny.ingress", "spec.enableDefaultDeny.both");
    }

    @Test
    void unknownFieldsAnywhereInTheSpecAreRefusedByPath() {
      PolicyValidation result = validate(cnp(egress("toPortz: []\n") + "egres: []"));
      assertThat(errorAt(result, "spec.egres").rule()).contains("did you mean egress?");
      assertThat(errorAt(result, "spec.egress[0].toPortz").rule()).contains("did you mean toPorts?");
    }
  }

  @Nested
  class Selectors {
    @Test
    void operatorsAreCaseSensitive() {
      PolicyValidation result = validate(cnp("endpointSelector:\n  matchExpressions:\n  - {key: app, operator: in, values: [a]}\negress: []"));
      assertThat(errorAt(result, "spec.endpointSelector.matchExpressions[0].operator").rule()).contains("case-sensitive");
    }

    @Test
    void valuesAreRequiredForInAndForbiddenForExists() {
      PolicyValidation result = validate(cnp("endpointSelector:\n  matchExpressions:\n  - {key: app, operator: In}\n"
          + "  - {key: app, operator: NotIn, values: []}\n  - {key: app, operator: Exists, values: [x]}\n"
          + "  - {operator: DoesNotExist}\negress: []"));
      assertThat(fields(result.errors())).containsExactlyInAnyOrder("spec.endpointSelector.matchExpressions[0].values",
          "spec.endpointSelector.matchExpressions[1].values", "spec.endpointSelector.matchExpressions[2].values",
          "spec.endpointSelector.matchExpressions[3].key");
    }

    @Test
    void labelKeysMayHaveACiliumSourceAndValuesFollowTheCrdPattern() {
      PolicyValidation ok = validate(cnp("endpointSelector:\n  matchLabels:\n    k8s:io.kubernetes.pod.namespace: kube-system\n"
          + "    any:app: x\n    reserved:host: \"\"\n    app.kubernetes.io/name: y\negress: []"));
      assertThat(ok.errors()).as(ok.summary()).isEmpty();
      PolicyValidation bad = validate(cnp("endpointSelector:\n  matchLabels:\n    \"k8s:\": x\n    app: \"-x\"\n    long: "
          + "a".repeat(64) + "\n    num: 5\negress: []"));
      assertThat(fields(bad.errors())).containsExactlyInAnyOrder("spec.endpointSelector.matchLabels.k8s:",
          "spec.endpointSelector.matchLabels.app", "spec.endpointSelector.matchLabels.long", "spec.endpointSelector.matchLabels.num");
    }

    @Test
    void aClusterLabelMustNameAMember() {
      Finding wrong = errorAt(validate(cnp("endpointSelector: {}\negress:\n- toEndpoints:\n  - matchLabels: {k8s:io.cilium.k8s.policy.cluster: x}")),
          "spec.egress[0].toEndpoints[0].matchLabels.k8s:io.cilium.k8s.policy.cluster");
      assertThat(wrong.message()).isEqualTo(
          "spec.egress[0].toEndpoints[0].matchLabels.k8s:io.cilium.k8s.policy.cluster: \"x\" must name a member of the mesh (members: cluster1, cluster2)");
      PolicyValidation expressions = validate(cnp("endpointSelector: {}\negress:\n- toEndpoints:\n  - matchExpressions:\n"
          + "    - {key: io.cilium.k8s.policy.cluster, operator: In, values: [cluster2, nope]}\n"
          + "    - {key: io.cilium.k8s.policy.cluster, operator: NotIn, values: [gone]}"));
      assertThat(fields(expressions.errors())).containsExactly("spec.egress[0].toEndpoints[0].matchExpressions[0].values[1]");
      assertThat(fields(expressions.warnings())).containsExactly("spec.egress[0].toEndpoints[0].matchExpressions[1].values[0]");
      errorAt(validate(cnp("endpointSelector: {matchLabels: {io.cilium.k8s.policy.cluster: nope}}\negress: []")),
          "spec.endpointSelector.matchLabels.io.cilium.k8s.policy.cluster");
    }

    @Test
    void peerSelectorsWithoutAClusterLabelAreWarnedAbout() {
      PolicyValidation result = validate(cnp("endpointSelector: {}\ningress:\n- fromEndpoints:\n  - {}\n  - matchExpressions:\n"
          + "    - {key: io.cilium.k8s.policy.cluster, operator: Exists}\negressDeny:\n- toEndpoints: [{matchLabels: {app: a}}]"));
      assertThat(result.isValid()).isTrue();
      assertThat(fields(result.warnings())).containsExactly("spec.ingress[0].fromEndpoints[0]", "spec.egressDeny[0].toEndpoints[0]");
      assertThat(result.warnings().get(0).rule()).contains("policy-default-local-cluster");
    }

    @Test
    void aNamespaceInTheEndpointSelectorOfANamespacedPolicyIsWarnedAbout() {
      PolicyValidation result = validate(cnp("endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: other}}\negress: []"));
      assertThat(fields(result.warnings())).containsExactly("spec.endpointSelector");
    }
  }

  @Nested
  class Peers {
    @Test
    void nullPeerListsAreRefused() {
      assertThat(errorAt(validate(cnp("endpointSelector: {}\ningress:\n- fromEndpoints:")), "spec.ingress[0].fromEndpoints").rule())
          .contains("not null");
      errorAt(validate(cnp("endpointSelector: {}\negress:")), "spec.egress");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.0/33", "300.0.0.0/8", "fe80::1%eth0/64", " 10.0.0.0/8", "nope"})
    void cidrsMustBeCidrs(String cidr) {
      errorAt(validate(cnp("endpointSelector: {}\negress:\n- toCIDR: [\"" + cidr + "\"]")), "spec.egress[0].toCIDR[0]");
    }

    @Test
    void cidrsOfBothFamiliesAreFine() {
      PolicyValidation result = validate(cnp("endpointSelector: {}\ningress:\n- fromCIDR: [10.0.0.0/8, \"2001:db8::/32\", 0.0.0.0/0, \"::/0\"]"));
      assertThat(result.errors()).as(result.summary()).isEmpty();
    }

    @Test
    void cidrSetsTakeExactlyOneSourceAndExceptionsInsideTheCidr() {
      PolicyValidation result = validate(cnp("""
          endpointSelector: {}
          egress:
          - toCIDRSet:
            - {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 192.168.0.0/16]}
            - {cidr: 10.0.0.0/8, cidrGroupRef: group}
            - {}
            - {cidrGroupRef: Bad_Group}
            - {cidrGroupSelector: {matchLabels: {a: b}}, except: [1.1.1.1/32]}
          """));
      assertThat(fields(result.errors())).containsExactlyInAnyOrder("spec.egress[0].toCIDRSet[0].except[1]",
          "spec.egress[0].toCIDRSet[1].cidrGroupRef", "spec.egress[0].toCIDRSet[2]", "spec.egress[0].toCIDRSet[3].cidrGroupRef");
    }

    @Test
    void entitiesFollowTheCrdEnumWithClusterMeshWarned() {
      PolicyValidation result = validate(cnp("endpointSelector: {}\negress:\n- toEntities: [world, cluster, kube-apiserver, cluster-mesh, world-ipv4, everything]"));
      assertThat(fields(result.errors())).containsExactly("spec.egress[0].toEntities[4]", "spec.egress[0].toEntities[5]");
      assertThat(fields(result.warnings())).containsExactly("spec.egress[0].toEntities[3]");
    }

    @Test
    void requiresMustBeEmpty() {
      assertThat(validate(cnp("endpointSelector: {}\ningress:\n- fromRequires: []")).isValid()).isTrue();
      errorAt(validate(cnp("endpointSelector: {}\ningress:\n- fromRequires: [{matchLabels: {a: b}}]")), "spec.ingress[0].fromRequires");
      errorAt(validate(cnp("endpointSelector: {}\negress:\n- toRequires: [x]")), "spec.egress[0].toRequires");
    }

    @Test
    void groupsNodesAndServices() {
      PolicyValidation ok = validate(ccnp("""
          endpointSelector: {}
          ingress:
          - fromNodes: [{matchLabels: {node-role.kubernetes.io/control-plane: ""}}]
          egress:
          - toGroups: [{aws: {labels: {a: b}, region: eu, securityGroupsIds: [sg-1], securityGroupsNames: [n]}}]
          - toServices: [{k8sService: {serviceName: s, namespace: n}}, {k8sServiceSelector: {selector: {matchLabels: {a: b}}, namespace: n}}]
          """));
      assertThat(ok.errors()).as(ok.summary()).isEmpty();
      PolicyValidation bad = validate(cnp("""
          endpointSelector: {}
          egress:
          - toGroups: [{gcp: {}}, {aws: {securityGroupsIds: [1]}}]
          - toServices: [{k8sServiceSelector: {namespace: n}}]
          """));
      assertThat(fields(bad.errors())).containsExactlyInAnyOrder("spec.egress[0].toGroups[0].gcp",
          "spec.egress[0].toGroups[1].aws.securityGroupsIds[0]", "spec.egress[1].toServices[0].k8sServiceSelector.selector");
    }

    @Test
    void fqdnsTakeExactlyOneOfMatchNameAndMatchPattern() {
      PolicyValidation result = validate(cnp("""
          endpointSelector: {}
          egress:
          - toFQDNs:
            - matchName: api.example.com
            - matchPattern: "*.example.com"
            - {matchName: a.example.com, matchPattern: "*.example.com"}
            - matchName: "*.example.com"
            - matchPattern: "bad..example.com"
            - {}
          """));
      assertThat(fields(result.errors())).containsExactly("spec.egress[0].toFQDNs[2].matchPattern", "spec.egress[0].toFQDNs[3].matchName",
          "spec.egress[0].toFQDNs[4].matchPattern", "spec.egress[0].toFQDNs[5]");
    }

    @Test
    void fqdnPatternsAreCheckedInLinearTime() {
      String hostile = "a".repeat(250) + "!";
      long start = System.nanoTime();
      errorAt(validate(cnp("endpointSelector: {}\negress:\n- toFQDNs: [{matchName: \"" + hostile + "\"}]")), "spec.egress[0].toFQDNs[0].matchName");
      assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }

    @Test
    void icmps() {
      PolicyValidation ok = validate(cnp("endpointSelector: {}\negress:\n- icmps: [{fields: [{type: 8}, {type: EchoRequest, family: IPv6}, {type: \"255\"}]}]"));
      assertThat(ok.errors()).as(ok.summary()).isEmpty();
      PolicyValidation bad = validate(cnp("endpointSelector: {}\negress:\n- icmps: [{fields: [{type: 256}, {type: Ping}, {family: IPv5, type: 0},"
          + " {type: ExtendedEchoReply}, {family: IPv6}, {type: true}]}]"));
      assertThat(fields(bad.errors())).containsExactly("spec.egress[0].icmps[0].fields[0].type", "spec.egress[0].icmps[0].fields[1].type",
          "spec.egress[0].icmps[0].fields[2].family", "spec.egress[0].icmps[0].fields[3].type", "spec.egress[0].icmps[0].fields[4].type",
          "spec.egress[0].icmps[0].fields[5].type");
    }

    @Test
    void authentication() {
      assertThat(validate(cnp(egress("authentication: {mode: required}"))).isValid()).isTrue();
      errorAt(validate(cnp(egress("authentication: {mode: always}"))), "spec.egress[0].authentication.mode");
      errorAt(validate(cnp(egress("authentication: {}"))), "spec.egress[0].authentication.mode");
      errorAt(validate(cnp("endpointSelector: {}\negressDeny:\n- authentication: {mode: required}")), "spec.egressDeny[0].authentication");
    }

    @Test
    void oneKindOfL3PeerPerAllowRuleAsCiliumSanitizes() {
      PolicyValidation result = validate(cnp("""
          endpointSelector: {}
          ingress:
          - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.cluster: cluster1}}]
            fromCIDR: [10.0.0.0/8]
            fromEntities: [world]
          egress:
          - toServices: [{k8sService: {serviceName: s, namespace: n}}]
            toPorts: [{ports: [{port: "80", protocol: TCP}]}]
          - icmps: [{fields: [{type: 8}]}]
            toPorts: [{ports: [{port: "80"}]}]
          egressDeny:
          - toEndpoints: [{matchLabels: {io.cilium.k8s.policy.cluster: cluster1}}]
            toCIDR: [10.0.0.0/8]
          """));
      assertThat(fields(result.errors())).containsExactly("spec.ingress[0].fromCIDR", "spec.ingress[0].fromEntities",
          "spec.egress[0].toServices", "spec.egress[1].icmps");
    }

    @Test
    void sectionsTakeOnlyTheirOwnPeers() {
      PolicyValidation result = validate(cnp("endpointSelector: {}\ningress:\n- toEndpoints: []\negressDeny:\n- toFQDNs: []\n"));
      assertThat(errorAt(result, "spec.ingress[0].toEndpoints").rule()).contains("from* peers");
      assertThat(errorAt(result, "spec.egressDeny[0].toFQDNs").rule()).contains("not supported in egressDeny");
    }
  }

  @Nested
  class Ports {
    @ParameterizedTest
    @ValueSource(strings = {"\"65536\"", "\"-1\"", "\"080\"", "\"\"", "\"http_alt\"", "\"-http\"", "\"averyveryverylongname\"", "\"1.5\""})
    void badPortsAreRefused(String port) {
      String rule = "toPorts: [{ports: [{port: " + port + "}]}]";
      errorAt(validate(cnp(egress(rule))), "spec.egress[0].toPorts[0].ports[0].port");
    }

    @Test
    void anUnquotedPortIsRefusedBecauseTheCrdSaysString() {
      Finding finding = errorAt(validate(cnp(egress("toPorts: [{ports: [{port: 80}]}]"))), "spec.egress[0].toPorts[0].ports[0].port");
      assertThat(finding.rule()).contains("must be a string").contains("quote it");
    }

    @Test
    void goodPorts() {
      PolicyValidation result = validate(cnp(egress("toPorts: [{ports: [{port: \"0\"}, {port: \"65535\"}, {port: http-8080, protocol: TCP},"
          + " {port: \"4096\", endPort: 8191, protocol: UDP}, {protocol: VRRP}, {port: \"1\", protocol: GRE}]}]")));
      assertThat(result.errors()).as(result.summary()).isEmpty();
    }

    @Test
    void endPortAndProtocol() {
      PolicyValidation result = validate(cnp(egress("toPorts: [{ports: [{port: \"1\", endPort: 65536}, {port: \"1\", endPort: -1},"
          + " {port: \"1\", protocol: tcp}, {port: \"1\", protocol: ICMP}, {protocol: TCP}, {port: \"100\", endPort: 10}]}]")));
      assertThat(fields(result.errors())).containsExactly("spec.egress[0].toPorts[0].ports[0].endPort",
          "spec.egress[0].toPorts[0].ports[1].endPort", "spec.egress[0].toPorts[0].ports[2].protocol",
          "spec.egress[0].toPorts[0].ports[3].protocol", "spec.egress[0].toPorts[0].ports[4].port");
      assertThat(errorAt(result, "spec.egress[0].toPorts[0].ports[3].protocol").rule()).contains("icmps");
      assertThat(fields(result.warnings())).contains("spec.egress[0].toPorts[0].ports[5].endPort");
    }

    @Test
    void atMostFortyPorts() {
      String ports = "{port: \"1\"}, ".repeat(41);
      errorAt(validate(cnp(egress("toPorts: [{ports: [" + ports + "]}]"))), "spec.egress[0].toPorts[0].ports");
    }

    @Test
    void tlsServerNamesAndListener() {
      PolicyValidation ok = validate(cnp(egress("""
          toPorts:
          - ports: [{port: "443", protocol: TCP}]
            serverNames: [api.example.com, "*.example.com"]
            terminatingTLS: {secret: {name: s, namespace: n}}
            originatingTLS: {secret: {name: ca}, trustedCA: x}
            rules: {http: [{}]}
          - ports: [{port: "80", protocol: TCP}]
            listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: e}, name: l, priority: 100}
          """)));
      assertThat(ok.errors()).as(ok.summary()).isEmpty();
      PolicyValidation bad = validate(cnp(egress("""
          toPorts:
          - ports: [{port: "443", protocol: TCP}]
            serverNames: [a.example.com, a.example.com, "bad name"]
            rules: {http: [{}]}
            terminatingTLS: {certificate: c}
          - ports: [{port: "80", protocol: TCP}]
            serverNames: []
            listener: {envoyConfig: {kind: Envoy}, name: "", priority: 0}
            rules: {http: []}
          """)));
      assertThat(fields(bad.errors())).containsExactlyInAnyOrder("spec.egress[0].toPorts[0].serverNames[1]",
          "spec.egress[0].toPorts[0].serverNames[2]", "spec.egress[0].toPorts[0].terminatingTLS.secret",
          "spec.egress[0].toPorts[1].serverNames", "spec.egress[0].toPorts[1].serverNames",
          "spec.egress[0].toPorts[1].listener.envoyConfig.kind", "spec.egress[0].toPorts[1].listener.envoyConfig.name",
          "spec.egress[0].toPorts[1].listener.name", "spec.egress[0].toPorts[1].listener.priority", "spec.egress[0].toPorts[1].listener");
    }

    @Test
    void aListenerIsEgressOnly() {
      errorAt(validate(cnp(ingress("toPorts: [{ports: [{port: \"80\", protocol: TCP}], listener: {envoyConfig: {name: e}, name: l}}]"))),
          "spec.ingress[0].toPorts[0].listener");
    }

    @Test
    void serverNamesWithL7RulesNeedTermination() {
      errorAt(validate(cnp(egress("toPorts: [{ports: [{port: \"443\", protocol: TCP}], serverNames: [a.b], rules: {http: [{}]}}]"))),
          "spec.egress[0].toPorts[0].serverNames");
    }
  }

  @Nested
  class L7 {
    @Test
    void onlyHttpOrDnsRulesAndExactlyOne() {
      assertThat(errorAt(validate(cnp(ingress("toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {HTTP: [{}]}}]"))),
          "spec.ingress[0].toPorts[0].rules.HTTP").rule()).contains("case-sensitive");
      assertThat(errorAt(validate(cnp(ingress("toPorts: [{ports: [{port: \"9092\", protocol: TCP}], rules: {kafka: [{topic: t}]}}]"))),
          "spec.ingress[0].toPorts[0].rules.kafka").rule()).contains("removed");
      errorAt(validate(cnp(egress("toPorts: [{ports: [{port: \"53\", protocol: TCP}], rules: {http: [], dns: []}}]"))),
          "spec.egress[0].toPorts[0].rules.dns");
      errorAt(validate(cnp(egress("toPorts: [{ports: [{port: \"53\", protocol: TCP}], rules: {}}]"))), "spec.egress[0].toPorts[0].rules");
    }

    @Test
    void httpRulesCompileWithRe2() {
      PolicyValidation result = validate(cnp(ingress("""
          toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules:
              http:
              - {method: GET, path: "/api/v1/.*", host: "^api\\\\.example\\\\.com$"}
              - {method: "(", path: "/a(b", host: "[z-a]"}
              - {path: "/(?=lookahead)"}
              - {path: "x{1001}"}
          """)));
      assertThat(fields(result.errors())).containsExactly("spec.ingress[0].toPorts[0].rules.http[1].method",
          "spec.ingress[0].toPorts[0].rules.http[1].path", "spec.ingress[0].toPorts[0].rules.http[1].host",
          "spec.ingress[0].toPorts[0].rules.http[2].path", "spec.ingress[0].toPorts[0].rules.http[3].path");
      assertThat(errorAt(result, "spec.ingress[0].toPorts[0].rules.http[1].path").rule()).contains("RE2");
    }

    @Test
    void regexesThatUnrollToHugeProgramsAreRefusedBeforeCompiling() {
      PolicyValidation result = validate(cnp(ingress("toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {http: ["
          + "{path: \"(((a{1000}){1000}){1000})\"}, {path: \"[a-z]{1000}[0-9]{1000}\"}, {path: \"((x{10}){10}){10}\"}]}}]")));
      assertThat(fields(result.errors())).containsExactly("spec.ingress[0].toPorts[0].rules.http[0].path");
      assertThat(result.errors().get(0).rule()).contains("nested counted repetitions");
      assertThat(RegexSize.estimate("\\Q(((\\E{10}")).isLessThanOrEqualTo(40);
      assertThat(RegexSize.estimate("[(]{1000}")).isEqualTo(1000);
    }

    @Test
    void headersAndHeaderMatches() {
      PolicyValidation ok = validate(cnp(ingress("toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {http: [{headers: [\"X-A: 1\"],"
          + " headerMatches: [{name: X-B, value: v, mismatch: LOG}, {name: X-C, secret: {name: s, namespace: n}}]}]}}]")));
      assertThat(ok.errors()).as(ok.summary()).isEmpty();
      PolicyValidation bad = validate(cnp(ingress("toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {http: [{headers: [1],"
          + " headerMatches: [{value: v}, {name: \"\", mismatch: DROP}, {name: X, secret: {namespace: n}}]}]}}]")));
      String http = "spec.ingress[0].toPorts[0].rules.http[0].";
      assertThat(fields(bad.errors())).containsExactly(http + "headers[0]", http + "headerMatches[0].name", http + "headerMatches[1].name",
          http + "headerMatches[1].mismatch", http + "headerMatches[2].secret.name");
    }

    @Test
    void httpRulesNeedTcpAndANonZeroPort() {
      PolicyValidation result = validate(cnp(ingress("toPorts: [{ports: [{port: \"80\"}, {port: \"81\", protocol: UDP}, {port: \"0\", protocol: TCP}],"
          + " rules: {http: [{}]}}]")));
      assertThat(fields(result.errors())).containsExactly("spec.ingress[0].toPorts[0].ports[0].protocol",
          "spec.ingress[0].toPorts[0].ports[1].protocol", "spec.ingress[0].toPorts[0].ports[2].port");
    }

    @Test
    void dnsRulesOnlyOnEgressWithPortsAndWithoutRanges() {
      errorAt(validate(cnp(ingress("toPorts: [{ports: [{port: \"53\", protocol: UDP}], rules: {dns: [{matchPattern: \"*\"}]}}]"))),
          "spec.ingress[0].toPorts[0].rules.dns");
      errorAt(validate(cnp(egress("toPorts: [{rules: {dns: [{matchPattern: \"*\"}]}}]"))), "spec.egress[0].toPorts[0].ports");
      errorAt(validate(cnp(egress("toPorts: [{ports: [{port: \"53\", endPort: 54}], rules: {dns: [{matchPattern: \"*\"}]}}]"))),
          "spec.egress[0].toPorts[0].ports[0].endPort");
      errorAt(validate(cnp(egress("toPorts: [{ports: [{port: \"53\"}], rules: {dns: [{matchName: \"*\"}]}}]"))),
          "spec.egress[0].toPorts[0].rules.dns[0].matchName");
      assertThat(validate(cnp(egress("toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]"))).isValid()).isTrue();
    }

    @Test
    void denyRulesTakeNoL7() {
      PolicyValidation result = validate(cnp("endpointSelector: {}\ningressDeny:\n- fromEntities: [world]\n"
          + "  toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {http: [{}]}}]"));
      assertThat(errorAt(result, "spec.ingressDeny[0].toPorts[0].rules").rule()).contains("deny rules take no L7 rules");
    }

    @Test
    void hostPoliciesTakeNoL7() {
      errorAt(validate(ccnp("nodeSelector: {}\ningress:\n- toPorts: [{ports: [{port: \"80\", protocol: TCP}], rules: {http: [{}]}}]")),
          "spec.ingress[0].toPorts[0].rules");
    }
  }

  @Test
  void neverThrowsOnOddTrees() {
    ObjectNode doc = (ObjectNode) yaml(cnp(egress("")));
    ObjectNode spec = (ObjectNode) doc.get("spec");
    spec.putArray("ingress").addArray().add(1);
    spec.putObject("log").putObject("value");
    spec.putArray("labels").addNull();
    PolicyValidation result = VALIDATOR.validate(doc, MESH);
    assertThat(fields(result.errors())).containsExactlyInAnyOrder("spec.log.value", "spec.labels[0]", "spec.ingress[0]");
  }
}
