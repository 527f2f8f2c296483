package io.meshfed.controller.sync.convert;

import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3;
import static io.meshfed.controller.sync.convert.Fixtures.CLUSTER3_IN_511;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.IdentityLabels;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityConverterTest {

  private final IdentityConverter cluster3 = new IdentityConverter(CLUSTER3);

  static Map<String, String> labels(String... sourceKeyValue) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < sourceKeyValue.length; i += 2) {
      labels.put(sourceKeyValue[i], sourceKeyValue[i + 1]);
    }
    return labels;
  }

  static Map<String, String> cluster3Labels() {
    return labels("k8s:io.kubernetes.pod.namespace", "bar", "k8s:io.cilium.k8s.policy.cluster", "cluster3");
  }

  static Finding onlyFinding(Conversion conversion) {
    assertThat(conversion).isInstanceOf(Conversion.Refused.class);
    List<Finding> findings = ((Conversion.Refused) conversion).findings();
    assertThat(findings).hasSize(1);
    return findings.get(0);
  }

  @Test
  @DisplayName("key is identities/v1/<c>/id/<name>, value the sorted label string, every label ending with ';'")
  void mapsNameAndLabels() {
    Map<String, String> securityLabels = labels("k8s:zeta", "z", "k8s:app", "web",
        "k8s:io.cilium.k8s.policy.cluster", "cluster3", "reserved:host", "", "k8s:empty", "");

    Conversion conversion = cluster3.convert(Fixtures.identity("200000", securityLabels));

    assertThat(conversion).isInstanceOf(Conversion.Entries.class);
    KeyValue entry = ((Conversion.Entries) conversion).entries().get(0);
    assertThat(entry.key()).isEqualTo("cilium/cache/identities/v1/cluster3/id/200000");
    assertThat(entry.valueAsString()).isEqualTo(
        "k8s:app=web;k8s:empty=;reserved:host=;k8s:io.cilium.k8s.policy.cluster=cluster3;k8s:zeta=z;");
    assertThat(IdentityLabels.fromBytes(entry.value()).value().format()).isEqualTo(entry.valueAsString());
  }

  @Test
  @DisplayName("the same labels in any map order give the same bytes")
  void deterministic() {
    Map<String, String> forward = labels("k8s:a", "1", "k8s:b", "2", "k8s:io.cilium.k8s.policy.cluster", "cluster3");
    Map<String, String> backward = labels("k8s:io.cilium.k8s.policy.cluster", "cluster3", "k8s:b", "2", "k8s:a", "1");

    assertThat(cluster3.convert(Fixtures.identity("200001", forward)))
        .isEqualTo(cluster3.convert(Fixtures.identity("200001", backward)));
  }

  @Test
  @DisplayName("a CiliumIdentity as simcluster seeds it converts, the operator's metadata labels being ignored")
  void simclusterIdentity() {
    Conversion conversion = cluster3.convert(Fixtures.simclusterIdentity("cluster3", 196_609, "ns-3", "app-1"));

    assertThat(conversion).isEqualTo(new Conversion.Entries(List.of(new KeyValue(
        "cilium/cache/identities/v1/cluster3/id/196609",
        ("k8s:app=app-1;k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=ns-3;"
            + "k8s:io.cilium.k8s.policy.cluster=cluster3;k8s:io.cilium.k8s.policy.serviceaccount=default;"
            + "k8s:io.kubernetes.pod.namespace=ns-3;").getBytes()))));
  }

  @Nested
  @DisplayName("refused")
  class Refused {

    @ParameterizedTest(name = "name \"{0}\"")
    @ValueSource(strings = {"abc", "196915a", "0196915", "-196915", "1.5", "", "42949672950"})
    @DisplayName("a name that is not a canonical decimal identity")
    void nonNumericName(String name) {
      Finding finding = onlyFinding(cluster3.convert(Fixtures.identity(name, cluster3Labels())));

      assertThat(finding.field()).isEqualTo("metadata.name");
      assertThat(finding.value()).isEqualTo(name);
      assertThat(finding.rule()).contains("numeric identity");
    }

    @Test
    @DisplayName("no name at all")
    void noName() {
      assertThat(onlyFinding(cluster3.convert(Fixtures.identity(null, cluster3Labels()))).field())
          .isEqualTo("metadata.name");
    }

    @ParameterizedTest(name = "{0} is {1} for cluster 3 with max-connected-clusters 255")
    @CsvSource({
        "196607, refused", // last identity of cluster 2
        "196608, accepted", // 3 << 16
        "262143, accepted", // (4 << 16) - 1
        "262144, refused", // first identity of cluster 4
        "256, refused", // cluster 0's first allocatable
        "4294967295, refused"})
    @DisplayName("identity range in a 255 mesh (spec 3.3)")
    void rangeIn255Mesh(long identity, String expected) {
      Conversion conversion = cluster3.convert(Fixtures.identity(Long.toString(identity), cluster3Labels()));

      assertRange(conversion, expected, "196608..262143");
    }

    @ParameterizedTest(name = "{0} is {1} for cluster 3 with max-connected-clusters 511")
    @CsvSource({
        "98303, refused", // last identity of cluster 2
        "98304, accepted", // 3 << 15
        "131071, accepted", // (4 << 15) - 1
        "131072, refused",
        "196915, refused"}) // cluster 3 in a 255 mesh, cluster 6 in a 511 mesh
    @DisplayName("identity range in a 511 mesh (spec 3.3)")
    void rangeIn511Mesh(long identity, String expected) {
      Conversion conversion = new IdentityConverter(CLUSTER3_IN_511)
          .convert(Fixtures.identity(Long.toString(identity), cluster3Labels()));

      assertRange(conversion, expected, "98304..131071");
    }

    private void assertRange(Conversion conversion, String expected, String range) {
      if (expected.equals("accepted")) {
        assertThat(conversion).isInstanceOf(Conversion.Entries.class);
        return;
      }
      Finding finding = onlyFinding(conversion);
      assertThat(finding.field()).isEqualTo("metadata.name");
      assertThat(finding.rule()).contains(range);
    }

    @Test
    @DisplayName("no k8s:io.cilium.k8s.policy.cluster label (spec 1.5 item 8)")
    void missingClusterLabel() {
      Finding finding = onlyFinding(cluster3.convert(Fixtures.identity("200000",
          labels("k8s:io.kubernetes.pod.namespace", "bar", "k8s:app", "web"))));

      assertThat(finding.field()).isEqualTo("security-labels");
      assertThat(finding.rule()).contains("k8s:io.cilium.k8s.policy.cluster=cluster3;");
    }

    @Test
    @DisplayName("a cluster label naming another cluster")
    void otherClusterName() {
      Finding finding = onlyFinding(cluster3.convert(Fixtures.identity("200000",
          labels("k8s:io.cilium.k8s.policy.cluster", "cluster4", "k8s:app", "web"))));

      assertThat(finding.field()).isEqualTo("security-labels");
      assertThat(finding.value()).isEqualTo("k8s:io.cilium.k8s.policy.cluster=cluster4");
      assertThat(finding.rule()).contains("cluster3");
    }

    @Test
    @DisplayName("a cluster label with another source than k8s")
    void clusterLabelWithOtherSource() {
      Finding finding = onlyFinding(cluster3.convert(Fixtures.identity("200000",
          labels("unspec:io.cilium.k8s.policy.cluster", "cluster3"))));

      assertThat(finding.field()).isEqualTo("security-labels");
      assertThat(finding.rule()).contains("source k8s");
    }

    @Test
    @DisplayName("a label the kvstore format cannot carry (';' in a value)")
    void unrepresentableLabel() {
      Map<String, String> securityLabels = cluster3Labels();
      securityLabels.put("k8s:app", "a;b");

      Finding finding = onlyFinding(cluster3.convert(Fixtures.identity("200000", securityLabels)));

      assertThat(finding.field()).isEqualTo("security-labels");
      assertThat(finding.rule()).contains("';'");
    }

    @Test
    @DisplayName("security-labels that are not a map of strings")
    void wrongTypes() {
      assertThat(onlyFinding(cluster3.convert(Fixtures.identity("200000", Map.of("k8s:app", 7)))).field())
          .isEqualTo("security-labels[\"k8s:app\"]");
      var listInstead = Fixtures.identity("200000", null);
      listInstead.setAdditionalProperty("security-labels", List.of("k8s:app=web"));
      assertThat(onlyFinding(cluster3.convert(listInstead)).rule()).isEqualTo("must be an object of strings");
    }
  }

  @Nested
  @DisplayName("skipped, not refused")
  class Skipped {

    @Test
    @DisplayName("empty security labels: Cilium ignores the identity")
    void emptyLabels() {
      Conversion conversion = cluster3.convert(Fixtures.identity("200000", new HashMap<String, String>()));

      assertThat(conversion).isInstanceOf(Conversion.Skipped.class);
      assertThat(((Conversion.Skipped) conversion).reason()).contains("200000").contains("no security labels");
    }

    @Test
    @DisplayName("no security-labels field at all")
    void absentLabels() {
      assertThat(cluster3.convert(Fixtures.identity("200000", null))).isInstanceOf(Conversion.Skipped.class);
    }
  }
}
