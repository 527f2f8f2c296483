package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BaselineTest {

  @Test
  void twoDocumentsThatPassTheValidator() {
    List<PolicySource> sources = PolicyDocuments.fromText("baseline", Baseline.forNamespace("shop"));
    assertThat(sources).extracting(s -> s.document().at("/metadata/name").asText()).containsExactly("default-deny", "allow-dns");
    for (PolicySource source : sources) {
      assertThat(source.document().at("/metadata/namespace").asText()).isEqualTo("shop");
      PolicyValidation result = PolicyTesting.VALIDATOR.validate(source.document(), PolicyTesting.MESH);
      assertThat(result.errors()).as(result.summary()).isEmpty();
    }
    // The kube-dns peer names no cluster on purpose (each member's own kube-dns): that is the one warning.
    PolicyValidation dns = PolicyTesting.VALIDATOR.validate(sources.get(1).document(), PolicyTesting.MESH);
    assertThat(PolicyTesting.fields(dns.warnings())).containsExactly("spec.egress[0].toEndpoints[0]");
  }

  @Test
  void defaultDenyDeniesBothDirections() {
    var deny = PolicyDocuments.fromText("baseline", Baseline.forNamespace("shop")).get(0).document();
    assertThat(deny.at("/spec/endpointSelector").isEmpty()).isTrue();
    assertThat(deny.at("/spec/enableDefaultDeny/ingress").asBoolean()).isTrue();
    assertThat(deny.at("/spec/enableDefaultDeny/egress").asBoolean()).isTrue();
    assertThat(deny.at("/spec/ingress").size()).isEqualTo(1);
    assertThat(deny.at("/spec/egress/0").isEmpty()).isTrue();
  }

  @Test
  void allowDnsReachesKubeDnsOnUdpAndTcp53WithDnsVisibility() {
    var dns = PolicyDocuments.fromText("baseline", Baseline.forNamespace("shop")).get(1).document();
    var rule = dns.at("/spec/egress/0");
    assertThat(rule.at("/toEndpoints/0/matchLabels/k8s:io.kubernetes.pod.namespace").asText()).isEqualTo("kube-system");
    assertThat(rule.at("/toEndpoints/0/matchLabels/k8s:k8s-app").asText()).isEqualTo("kube-dns");
    assertThat(rule.at("/toPorts/0/ports").findValuesAsText("protocol")).containsExactly("UDP", "TCP");
    assertThat(rule.at("/toPorts/0/ports").findValuesAsText("port")).containsExactly("53", "53");
    assertThat(rule.at("/toPorts/0/rules/dns/0/matchPattern").asText()).isEqualTo("*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Shop", "shop.eu", "-shop", "a_b"})
  void theNamespaceMustBeADnsLabel(String namespace) {
    assertThatThrownBy(() -> Baseline.forNamespace(namespace))
        .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("namespace"));
    assertThatThrownBy(() -> Baseline.forNamespace(null)).isInstanceOf(InvalidValueException.class);
  }
}
