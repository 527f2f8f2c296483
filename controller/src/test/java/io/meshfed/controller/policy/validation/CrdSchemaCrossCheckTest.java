package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Our validator against the CRDs themselves: every document we accept must pass the CRD's
 * {@code openAPIV3Schema} (as Draft 7, formats not asserted, like the oracle's computation) plus the
 * strict check for undeclared fields that {@code kubectl apply} makes; and mutations of valid
 * documents must be refused by both, ours naming the mutated path. A second group of mutations is
 * refused by us and accepted by the schema: rules the schema cannot express (the agent's sanitize
 * rules, regexes, CIDR format, the mesh's members), or where its pattern is laxer than the agent.
 */
class CrdSchemaCrossCheckTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ValidationContext CONTEXT = PolicyTesting.MESH;
  private static Map<String, List<JsonNode>> schemasByKind;
  private static Map<String, List<Schema>> validatorsByKind;

  static final String RICH_CNP = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: rich, namespace: prod}
      spec:
        description: every kind of field
        endpointSelector:
          matchLabels: {app: api}
          matchExpressions:
          - {key: tier, operator: In, values: [web]}
        enableDefaultDeny: {ingress: true, egress: true}
        labels: [{key: team, value: a, source: meshfed}]
        log: {value: audit}
        ingress:
        - fromEndpoints:
          - matchLabels: {app: frontend, io.cilium.k8s.policy.cluster: cluster1}
          toPorts:
          - ports: [{port: "80", protocol: TCP}, {port: "8080", endPort: 8090, protocol: TCP}]
            rules:
              http:
              - method: GET
                path: /api/v1/.*
                headers: ["X-Env: prod"]
                headerMatches: [{name: X-Token, secret: {name: tok, namespace: prod}, mismatch: LOG}]
        - fromEntities: [world]
          authentication: {mode: required}
        - fromCIDRSet:
          - cidr: 10.0.0.0/8
            except: [10.1.0.0/16]
        - icmps:
          - fields: [{type: 8, family: IPv4}, {type: EchoRequest, family: IPv6}]
        egress:
        - toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.example.org"}]
          toPorts:
          - ports: [{port: "443", protocol: TCP}]
            serverNames: [api.example.com]
            terminatingTLS: {secret: {name: tls}}
            originatingTLS: {secret: {name: ca}}
            rules: {http: [{}]}
        - toEndpoints:
          - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
            matchExpressions: [{key: io.cilium.k8s.policy.cluster, operator: In, values: [cluster1]}]
          toPorts:
          - ports: [{port: "53", protocol: UDP}, {port: "53", protocol: TCP}]
            rules: {dns: [{matchPattern: "*"}]}
        - toCIDR: [192.0.2.0/24]
        - toServices: [{k8sServiceSelector: {selector: {matchLabels: {app: db}}, namespace: prod}}]
        - toPorts:
          - ports: [{port: "80", protocol: TCP}]
            listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: envoy}, name: l, priority: 10}
        - toEntities: [kube-apiserver]
        - toCIDRSet: [{cidrGroupRef: partners}]
        - toGroups: [{aws: {securityGroupsIds: [sg-1]}}]
        ingressDeny:
        - fromCIDR: [203.0.113.0/24]
          toPorts: [{ports: [{port: "22", protocol: TCP}]}]
        egressDeny:
        - toEntities: [world]
          icmps: [{fields: [{type: 0}]}]
      """;

  static final String HOST_CCNP = """
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: host, annotations: {meshfed.io/cluster-selector: "env=prod"}}
      spec:
        nodeSelector: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}
        ingress:
        - fromNodes: [{matchLabels: {a: b}}]
        - fromEntities: [cluster]
          toPorts: [{ports: [{port: "6443", protocol: TCP}, {protocol: VRRP}, {port: "0", protocol: GRE}]}]
      specs:
      - endpointSelector: {}
        egress: [{toEntities: [all]}]
      """;

  @BeforeAll
  static void loadCrds() {
    Path shared = PolicyTesting.requireSharedCilium();
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
        b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(false).build()));
    schemasByKind = new LinkedHashMap<>();
    validatorsByKind = new LinkedHashMap<>();
    Map<String, String> files = Map.of(PolicyValidator.CNP, "ciliumnetworkpolicies.yaml",
        PolicyValidator.CCNP, "ciliumclusterwidenetworkpolicies.yaml");
    files.forEach((kind, file) -> {
      for (Path crd : List.of(shared.resolve("crds").resolve(file), shared.resolve("crds/upstream-main-711821bf").resolve(file))) {
        JsonNode schema = PolicyDocuments.read(crd).get(0).document().at("/spec/versions/0/schema/openAPIV3Schema");
        assertThat(schema.isObject()).as(crd.toString()).isTrue();
        schemasByKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(schema);
        validatorsByKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(registry.getSchema(schema));
      }
    });
  }

  /** What the CRD (either version) says of a document: empty when one version accepts it. */
  static List<String> crdProblems(JsonNode doc) {
    List<String> problems = List.of("kind is not a Cilium policy kind");
    List<Schema> validators = validatorsByKind.getOrDefault(doc.path("kind").asText(), List.of());
    for (int i = 0; i < validators.size(); i++) {
      List<String> found = new ArrayList<>();
      for (Error e : validators.get(i).validate(doc)) {
        found.add(e.getInstanceLocation() + ": " + e.getMessage());
      }
      undeclared(schemasByKind.get(doc.path("kind").asText()).get(i), doc, "", found);
      if (found.isEmpty()) {
        return List.of();
      }
      problems = found;
    }
    return problems;
  }

  /** kubectl's strict field validation: fields the schema's properties do not declare. */
  static void undeclared(JsonNode schema, JsonNode doc, String path, List<String> out) {
    if (doc.isObject()) {
      JsonNode properties = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      for (Map.Entry<String, JsonNode> field : doc.properties()) {
        String child = path + "/" + field.getKey();
        if (properties != null && properties.has(field.getKey())) {
          undeclared(properties.get(field.getKey()), field.getValue(), child, out);
        } else if (additional != null && additional.isObject()) {
          undeclared(additional, field.getValue(), child, out);
        } else if (properties != null) {
          out.add(child + ": field not declared in the schema");
        }
      }
    } else if (doc.isArray() && schema.has("items")) {
      for (int i = 0; i < doc.size(); i++) {
        undeclared(schema.get("items"), doc.get(i), path + "/" + i, out);
      }
    }
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** One change to a document at a JSON pointer: set a value (null JSON value allowed) or remove. */
  record Change(String pointer, JsonNode value) {
    void apply(JsonNode doc) {
      JsonPointer at = JsonPointer.compile(pointer);
      JsonNode parent = doc.at(at.head());
      if (parent instanceof ObjectNode object) {
        if (value == null) {
          object.remove(at.last().getMatchingProperty());
        } else {
          object.set(at.last().getMatchingProperty(), value);
        }
      } else if (parent instanceof ArrayNode array) {
        if (value == null) {
          array.remove(at.last().getMatchingIndex());
        } else {
          array.set(at.last().getMatchingIndex(), value);
        }
      } else {
        throw new IllegalArgumentException("no parent for " + pointer);
      }
    }
  }

  record Mutation(String base, String expectedField, boolean schemaRefuses, List<Change> changes) {
    JsonNode apply() {
      JsonNode doc = PolicyTesting.yaml(base);
      changes.forEach(c -> c.apply(doc));
      return doc;
    }

    String name() {
      return (schemaRefuses ? "both refuse " : "only we refuse ") + expectedField + " <- " + changes;
    }
  }

  private static Mutation both(String pointer, String value, String field) {
    return new Mutation(RICH_CNP, field, true, List.of(new Change(pointer, value == null ? null : json(value))));
  }

  private static Mutation ours(String pointer, String value, String field) {
    return new Mutation(RICH_CNP, field, false, List.of(new Change(pointer, value == null ? null : json(value))));
  }

  private static String repeat(String item, int times) {
    return "[" + String.join(",", java.util.Collections.nCopies(times, item)) + "]";
  }

  static List<Mutation> mutations() {
    String port0 = "/spec/ingress/0/toPorts/0/ports/0";
    String http0 = "/spec/ingress/0/toPorts/0/rules/http/0";
    String icmp0 = "/spec/ingress/3/icmps/0/fields/0";
    return List.of(
        both(port0 + "/port", "65536", "spec.ingress[0].toPorts[0].ports[0].port"),
        both(port0 + "/port", "\"-1\"", "spec.ingress[0].toPorts[0].ports[0].port"),
        both(port0 + "/port", "-1", "spec.ingress[0].toPorts[0].ports[0].port"),
        both(port0 + "/port", "\"\"", "spec.ingress[0].toPorts[0].ports[0].port"),
        both("/spec/ingress/0/toPorts/0/ports/1/endPort", "65536", "spec.ingress[0].toPorts[0].ports[1].endPort"),
        both("/spec/ingress/0/toPorts/0/ports/1/endPort", "-1", "spec.ingress[0].toPorts[0].ports[1].endPort"),
        both("/spec/ingress/0/toPorts/0/ports/1/endPort", "\"8090\"", "spec.ingress[0].toPorts[0].ports[1].endPort"),
        both(port0 + "/protocol", "\"HTTP\"", "spec.ingress[0].toPorts[0].ports[0].protocol"),
        both(port0 + "/protocol", "\"tcp\"", "spec.ingress[0].toPorts[0].ports[0].protocol"),
        both(port0 + "/protocol", "\"ICMP\"", "spec.ingress[0].toPorts[0].ports[0].protocol"),
        both("/spec/ingress/1/fromEntities/0", "\"everything\"", "spec.ingress[1].fromEntities[0]"),
        both("/spec/egress/5/toEntities/0", "\"world-ipv4\"", "spec.egress[5].toEntities[0]"),
        both("/spec/endpointSelector/matchExpressions/0/operator", "\"in\"", "spec.endpointSelector.matchExpressions[0].operator"),
        both("/spec/endpointSelector/matchExpressions/0/operator", "\"Equals\"", "spec.endpointSelector.matchExpressions[0].operator"),
        both("/spec/ingress/0/fromEndpoints", "null", "spec.ingress[0].fromEndpoints"),
        both("/spec/egress", "null", "spec.egress"),
        both("/spec/ingress/0/fromEndpoints/0/matchLabels", "null", "spec.ingress[0].fromEndpoints[0].matchLabels"),
        both("/spec/ingress/0/fromRequires", "[{\"matchLabels\": {\"a\": \"b\"}}]", "spec.ingress[0].fromRequires"),
        both("/spec/egress/2/toRequires", "[\"x\"]", "spec.egress[2].toRequires"),
        both("/spec/ingress/0/toPorts/0/rules", "{\"HTTP\": [{}]}", "spec.ingress[0].toPorts[0].rules.HTTP"),
        both("/spec/ingress/0/toPorts/0/rules", "{\"kafka\": [{\"topic\": \"t\"}]}", "spec.ingress[0].toPorts[0].rules.kafka"),
        both("/spec/egress/1/toPorts/0/rules/http", "[]", "spec.egress[1].toPorts[0].rules.dns"),
        both("/spec/egress/0/toFQDNs/0/matchPattern", "\"*.example.com\"", "spec.egress[0].toFQDNs[0].matchPattern"),
        both("/spec/egress/0/toFQDNs/0/matchName", "\"*.example.com\"", "spec.egress[0].toFQDNs[0].matchName"),
        both("/spec/egress/0/toFQDNs/1/matchPattern", "\"bad..example\"", "spec.egress[0].toFQDNs[1].matchPattern"),
        both("/spec/egress/1/toPorts/0/rules/dns/0/matchPattern", "\"\"", "spec.egress[1].toPorts[0].rules.dns[0].matchPattern"),
        both("/spec/endpointSelector", null, "spec.endpointSelector"),
        both("/spec/nodeSelector", "{}", "spec.nodeSelector"),
        new Mutation(RICH_CNP, "spec", true, List.of(new Change("/spec/ingress", null), new Change("/spec/egress", null),
            new Change("/spec/ingressDeny", null), new Change("/spec/egressDeny", null))),
        both("/spec/ingress/0/fromEndpoints/0/matchLabels/app", "\"bad value!\"", "spec.ingress[0].fromEndpoints[0].matchLabels.app"),
        both("/spec/ingress/0/fromEndpoints/0/matchLabels/app", "123", "spec.ingress[0].fromEndpoints[0].matchLabels.app"),
        both(icmp0 + "/family", "\"IPv5\"", "spec.ingress[3].icmps[0].fields[0].family"),
        both(icmp0 + "/type", "\"NotAType\"", "spec.ingress[3].icmps[0].fields[0].type"),
        both(icmp0 + "/type", "\"ExtendedEchoReply\"", "spec.ingress[3].icmps[0].fields[0].type"),
        both("/spec/ingress/3/icmps/0/fields", repeat("{\"type\": 8}", 41), "spec.ingress[3].icmps[0].fields"),
        both("/spec/ingress/1/authentication/mode", "\"sometimes\"", "spec.ingress[1].authentication.mode"),
        both("/spec/ingress/1/authentication", "{}", "spec.ingress[1].authentication.mode"),
        both("/spec/enableDefaultDeny/ingress", "\"yes\"", "spec.enableDefaultDeny.ingress"),
        both("/spec/log/value", "\"" + "x".repeat(33) + "\"", "spec.log.value"),
        both("/spec/labels/0", "{\"value\": \"v\"}", "spec.labels[0].key"),
        both("/spec/egress/6/toCIDRSet/0/cidr", "\"10.0.0.0/8\"", "spec.egress[6].toCIDRSet[0].cidrGroupRef"),
        both("/spec/egress/6/toCIDRSet/0/cidrGroupRef", "\"Bad_Ref\"", "spec.egress[6].toCIDRSet[0].cidrGroupRef"),
        both("/spec/ingress/2/fromCIDRSet/0", "{}", "spec.ingress[2].fromCIDRSet[0]"),
        both("/spec/egress/4/toPorts/0/listener/priority", "101", "spec.egress[4].toPorts[0].listener.priority"),
        both("/spec/egress/4/toPorts/0/listener/envoyConfig", null, "spec.egress[4].toPorts[0].listener.envoyConfig"),
        both("/spec/egress/4/toPorts/0/listener/envoyConfig/kind", "\"Envoy\"", "spec.egress[4].toPorts[0].listener.envoyConfig.kind"),
        both(http0 + "/headerMatches/0/mismatch", "\"DROP\"", "spec.ingress[0].toPorts[0].rules.http[0].headerMatches[0].mismatch"),
        both(http0 + "/headerMatches/0/name", null, "spec.ingress[0].toPorts[0].rules.http[0].headerMatches[0].name"),
        both(http0 + "/headers/0", "1", "spec.ingress[0].toPorts[0].rules.http[0].headers[0]"),
        both("/spec/egress/0/toPorts/0/serverNames", "[]", "spec.egress[0].toPorts[0].serverNames"),
        both("/spec/egress/0/toPorts/0/terminatingTLS/secret", null, "spec.egress[0].toPorts[0].terminatingTLS.secret"),
        both("/spec/ingress/0/toPorts/0/ports", repeat("{\"port\": \"80\", \"protocol\": \"TCP\"}", 41), "spec.ingress[0].toPorts[0].ports"),
        both("/spec/egress/3/toServices/0/k8sServiceSelector/selector", null, "spec.egress[3].toServices[0].k8sServiceSelector.selector"),
        both("/spec/egress/1/toEndpoints", "{}", "spec.egress[1].toEndpoints"),
        both("/specs", "{}", "specs"),
        both("/description", "\"top\"", "description"),
        both("/spec/egress/2/auth", "{\"mode\": \"required\"}", "spec.egress[2].auth"),
        both("/spec/ingressDeny/0/toPorts/0/rules", "{\"http\": [{}]}", "spec.ingressDeny[0].toPorts[0].rules"),
        both("/spec/ingress/0/fromEndpointz", "[]", "spec.ingress[0].fromEndpointz"),
        // The schema cannot say these; the agent or the API server refuses them, or the mesh does.
        ours(http0 + "/path", "\"(\"", "spec.ingress[0].toPorts[0].rules.http[0].path"),
        ours(port0 + "/port", "\"65536\"", "spec.ingress[0].toPorts[0].ports[0].port"),
        ours(port0 + "/port", "\"0\"", "spec.ingress[0].toPorts[0].ports[0].port"),
        ours(port0 + "/protocol", "\"UDP\"", "spec.ingress[0].toPorts[0].ports[0].protocol"),
        ours(icmp0 + "/type", "300", "spec.ingress[3].icmps[0].fields[0].type"),
        ours("/spec/ingress/0/fromCIDR", "[\"10.0.0.0/8\"]", "spec.ingress[0].fromCIDR"),
        ours("/spec/ingress/0/toPorts/0/rules", "{\"dns\": [{\"matchPattern\": \"*\"}]}", "spec.ingress[0].toPorts[0].rules.dns"),
        ours("/spec/egress/2/toCIDR/0", "\"192.0.2.1\"", "spec.egress[2].toCIDR[0]"),
        ours("/spec/ingress/2/fromCIDRSet/0/except/0", "\"192.168.0.0/16\"", "spec.ingress[2].fromCIDRSet[0].except[0]"),
        ours("/spec/endpointSelector/matchExpressions/0/values", null, "spec.endpointSelector.matchExpressions[0].values"),
        ours("/spec/ingress/0/fromEndpoints/0/matchLabels/io.cilium.k8s.policy.cluster", "\"cluster9\"",
            "spec.ingress[0].fromEndpoints[0].matchLabels.io.cilium.k8s.policy.cluster"),
        ours("/spec/ingress/1/toPorts", "[{\"ports\": [{\"port\": \"80\", \"protocol\": \"TCP\"}], \"listener\": {\"envoyConfig\": {\"name\": \"e\"}, \"name\": \"l\"}}]",
            "spec.ingress[1].toPorts[0].listener"),
        ours("/spec/egress/1/toPorts/0/ports/0/endPort", "60", "spec.egress[1].toPorts[0].ports[0].endPort"),
        ours("/metadata/name", "\"Bad_Name\"", "metadata.name"),
        ours("/metadata/namespace", null, "metadata.namespace"),
        new Mutation(RICH_CNP, "spec.nodeSelector", false, List.of(new Change("/spec/endpointSelector", null),
            new Change("/spec/nodeSelector", json("{}")), new Change("/spec/ingress", null), new Change("/spec/egress", null))));
  }

  @Test
  void theBaseDocumentsAreValidForUsAndTheCrd() {
    for (String base : List.of(RICH_CNP, HOST_CCNP)) {
      JsonNode doc = PolicyTesting.yaml(base);
      PolicyValidation ours = PolicyTesting.VALIDATOR.validate(doc, CONTEXT);
      assertThat(ours.errors()).as(ours.summary()).isEmpty();
      assertThat(crdProblems(doc)).isEmpty();
    }
  }

  @Test
  void everyDocumentWeAcceptPassesTheCrd() throws IOException {
    Path shared = PolicyTesting.requireSharedCilium();
    List<JsonNode> documents = new ArrayList<>(OracleTest.documents(shared, OracleTest.rows(shared)).values());
    for (String text : List.of(NamedPoliciesTest.L7_RULE, NamedPoliciesTest.ALLOW_DNS, NamedPoliciesTest.CROSS_CLUSTER,
        Baseline.forNamespace("shop"), RICH_CNP, HOST_CCNP)) {
      PolicyDocuments.fromText("text", text).forEach(s -> documents.add(s.document()));
    }
    int accepted = 0;
    for (JsonNode doc : documents) {
      if (PolicyTesting.VALIDATOR.validate(doc, OracleTest.ORACLE_CONTEXT).isValid()) {
        accepted++;
        assertThat(crdProblems(doc)).as(doc.toString()).isEmpty();
      }
    }
    assertThat(accepted).isGreaterThanOrEqualTo(132 + 7);
  }

  @Test
  void thereAreEnoughMutationsOfEachKind() {
    List<Mutation> all = mutations();
    assertThat(all.stream().filter(Mutation::schemaRefuses).count()).isGreaterThanOrEqualTo(40);
    assertThat(all.stream().map(Mutation::expectedField).distinct().count()).isGreaterThan(50);
    assertThat(Set.copyOf(all).size()).isEqualTo(all.size());
  }

  @TestFactory
  Stream<DynamicTest> mutationsAreRefusedNamingTheMutatedPath() {
    return mutations().stream().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      JsonNode doc = m.apply();
      PolicyValidation ours = PolicyTesting.VALIDATOR.validate(doc, CONTEXT);
      assertThat(PolicyTesting.fields(ours.errors())).as(ours.summary()).contains(m.expectedField());
      List<String> crd = crdProblems(doc);
      if (m.schemaRefuses()) {
        assertThat(crd).as("the CRD should refuse it too").isNotEmpty();
      } else {
        assertThat(crd).as("the CRD accepts it: only the agent, the API server's formats or the mesh refuse it").isEmpty();
      }
    }));
  }
}
