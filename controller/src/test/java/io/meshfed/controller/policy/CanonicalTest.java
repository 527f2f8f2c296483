package io.meshfed.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The content of a policy, its hash, generation rules and the object pushed to members. */
class CanonicalTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-26T11:00:00Z");

  static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }

  static final String DNS = """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: allow-dns
        namespace: production
        labels: {team: net}
        annotations: {meshfed.io/clusters: "c1,c2"}
      spec:
        endpointSelector: {}
        egress:
        - toEndpoints:
          - matchLabels: {k8s-app: kube-dns, "k8s:io.kubernetes.pod.namespace": kube-system}
          toPorts:
          - ports: [{port: "53", protocol: UDP}, {port: "53", protocol: TCP}]
      """;

  @Test
  @DisplayName("the hash is sha256 of the content with sorted keys: key order does not matter, list order does")
  void hashIgnoresKeyOrderNotListOrder() throws Exception {
    String h = Canonical.contentHashOf(yaml(DNS));
    assertThat(h).matches("sha256:[0-9a-f]{64}");
    String reordered = """
        spec:
          egress:
          - toPorts:
            - ports: [{protocol: UDP, port: "53"}, {protocol: TCP, port: "53"}]
            toEndpoints:
            - matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns}
          endpointSelector: {}
        metadata:
          annotations: {meshfed.io/clusters: "c1,c2"}
          labels: {team: net}
          namespace: production
          name: allow-dns
        kind: CiliumNetworkPolicy
        apiVersion: cilium.io/v2
        """;
    assertThat(Canonical.contentHashOf(yaml(reordered))).isEqualTo(h);
    String swapped = DNS.replace("[{port: \"53\", protocol: UDP}, {port: \"53\", protocol: TCP}]",
        "[{port: \"53\", protocol: TCP}, {port: \"53\", protocol: UDP}]");
    assertThat(Canonical.contentHashOf(yaml(swapped))).isNotEqualTo(h);
  }

  @Test
  @DisplayName("what a member adds (status, uid, resourceVersion, managedFields...), meshfed's label and annotations and kubectl's last-applied are not content")
  void serverAndOwnMetadataAreNotContent() throws Exception {
    ObjectNode member = (ObjectNode) yaml(DNS);
    ObjectNode meta = (ObjectNode) member.get("metadata");
    meta.put("uid", "1234").put("resourceVersion", "99").put("generation", 7).put("creationTimestamp", "2026-01-01T00:00:00Z");
    meta.putArray("managedFields").addObject().put("manager", "kubectl-edit");
    ((ObjectNode) meta.get("labels")).put(Canonical.MANAGED_BY, "meshfed");
    ((ObjectNode) meta.get("annotations")).put(Canonical.GENERATION, "3").put(Canonical.HASH, "sha256:x").put(Canonical.POLICY, "cnp/production/allow-dns")
        .put("kubectl.kubernetes.io/last-applied-configuration", "{}");
    member.putObject("status").put("ok", true);
    assertThat(Canonical.contentHashOf(member)).isEqualTo(Canonical.contentHashOf(yaml(DNS)));
    ObjectNode c = Canonical.canonicalize(member);
    assertThat(c.path("metadata").fieldNames()).toIterable().containsExactly("name", "namespace", "labels", "annotations");
    assertThat(c.has("status")).isFalse();
  }

  @Test
  @DisplayName("user labels and annotations are content; a clusterwide policy has no namespace")
  void labelsAnnotationsAreContent() throws Exception {
    String h = Canonical.contentHashOf(yaml(DNS));
    assertThat(Canonical.contentHashOf(yaml(DNS.replace("team: net", "team: sec")))).isNotEqualTo(h);
    assertThat(Canonical.contentHashOf(yaml(DNS.replace("\"c1,c2\"", "\"c1\"")))).isNotEqualTo(h);
    JsonNode ccnp = Canonical.canonicalize(yaml(DNS.replace("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy")));
    assertThat(ccnp.path("metadata").has("namespace")).isFalse();
  }

  @Test
  @DisplayName("the CRD default icmps[].fields[].family=IPv4 is filled in, so what an API server stores hashes the same")
  void crdDefaultsAreApplied() throws Exception {
    String without = """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: icmp, namespace: a}
        spec:
          endpointSelector: {}
          egress:
          - icmps:
            - fields: [{type: 8}]
        """;
    String with = without.replace("{type: 8}", "{type: 8, family: IPv4}");
    assertThat(Canonical.contentHashOf(yaml(without))).isEqualTo(Canonical.contentHashOf(yaml(with)));
    assertThat(Canonical.contentHashOf(yaml(without.replace("{type: 8}", "{type: 8, family: IPv6}"))))
        .isNotEqualTo(Canonical.contentHashOf(yaml(with)));
  }

  @Test
  @DisplayName("generation 1 at create; the same content again keeps the record; changed content is the next generation, createdAt kept")
  void generationRules() throws Exception {
    MeshPolicy p1 = MeshPolicy.create(Canonical.canonicalize(yaml(DNS)), T0);
    assertThat(p1.generation()).isEqualTo(1);
    assertThat(p1.key()).isEqualTo("cnp/production/allow-dns");
    assertThat(p1.next(Canonical.canonicalize(yaml(DNS)), T1)).isSameAs(p1);
    MeshPolicy p2 = p1.next(Canonical.canonicalize(yaml(DNS.replace("team: net", "team: sec"))), T1);
    assertThat(p2.generation()).isEqualTo(2);
    assertThat(p2.createdAt()).isEqualTo(T0);
    assertThat(p2.updatedAt()).isEqualTo(T1);
    assertThat(p2.contentHash()).isNotEqualTo(p1.contentHash());
  }

  @Test
  @DisplayName("the member object carries app.kubernetes.io/managed-by=meshfed and meshfed.io/generation, hash, policy; its content hash is the policy's")
  void memberObject() throws Exception {
    MeshPolicy p = MeshPolicy.create(Canonical.canonicalize(yaml(DNS)), T0).next(Canonical.canonicalize(yaml(DNS.replace("net", "x"))), T1);
    ObjectNode m = Canonical.memberObject(p);
    assertThat(m.at("/metadata/labels").get(Canonical.MANAGED_BY).asText()).isEqualTo("meshfed");
    assertThat(m.at("/metadata/labels/team").asText()).isEqualTo("x");
    assertThat(Canonical.annotation(m, Canonical.GENERATION)).contains("2");
    assertThat(Canonical.annotation(m, Canonical.HASH)).contains(p.contentHash());
    assertThat(Canonical.annotation(m, Canonical.POLICY)).contains("cnp/production/allow-dns");
    assertThat(Canonical.annotation(m, "meshfed.io/clusters")).contains("c1,c2");
    assertThat(Canonical.contentHashOf(m)).isEqualTo(p.contentHash());
    assertThat(Canonical.isManaged(m)).isTrue();
    assertThat(p.object().at("/metadata/labels").has(Canonical.MANAGED_BY)).as("the record is not changed").isFalse();
  }

  @Test
  @DisplayName("meshfed's own label and annotations in input are reported (and ignored)")
  void reservedInInput() throws Exception {
    JsonNode doc = yaml(DNS.replace("labels: {team: net}", "labels: {team: net, app.kubernetes.io/managed-by: helm}")
        .replace("annotations: {", "annotations: {meshfed.io/generation: \"9\", "));
    assertThat(Canonical.reservedInInput(doc)).hasSize(2).anySatisfy(m -> assertThat(m).contains("managed-by"))
        .anySatisfy(m -> assertThat(m).contains("meshfed.io/generation"));
    assertThat(Canonical.contentHashOf(doc)).isEqualTo(Canonical.contentHashOf(yaml(DNS)));
  }

  @Test
  @DisplayName("keys: cnp/<ns>/<name> and ccnp/_cluster/<name>, parsed back; a CNP needs a namespace")
  void keys() {
    PolicyKey cnp = new PolicyKey(PolicyKind.CNP, "production", "allow-dns");
    PolicyKey ccnp = new PolicyKey(PolicyKind.CCNP, null, "deny-all");
    assertThat(cnp.id()).isEqualTo("cnp/production/allow-dns");
    assertThat(ccnp.id()).isEqualTo("ccnp/_cluster/deny-all");
    assertThat(PolicyKey.parseId(cnp.id())).isEqualTo(cnp);
    assertThat(PolicyKey.parseId(ccnp.id())).isEqualTo(ccnp);
    assertThat(cnp.display()).isEqualTo("production/allow-dns");
    assertThat(ccnp.display()).isEqualTo("deny-all");
    assertThat(PolicyKind.parse("CiliumClusterwideNetworkPolicy")).contains(PolicyKind.CCNP);
    assertThat(PolicyKind.parse("cnp")).contains(PolicyKind.CNP);
    assertThatThrownBy(() -> new PolicyKey(PolicyKind.CNP, null, "x")).isInstanceOf(IllegalArgumentException.class);
  }
}
