package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlacementTest {
  private static final Map<String, String> PROD_EU = Map.of("env", "prod", "region", "eu-1");
  private static final Map<String, String> STAGING = Map.of("env", "staging", "canary", "true");

  private static Placement placement(String annotation, String value) {
    Placement.Parsed parsed = Placement.parse(Map.of(annotation, value));
    assertThat(parsed.errors()).isEmpty();
    return parsed.placement();
  }

  private static List<Finding> errors(String annotation, String value) {
    Placement.Parsed parsed = Placement.parse(Map.of(annotation, value));
    assertThat(parsed.placement()).isNull();
    return parsed.errors();
  }

  @Test
  void noAnnotationMeansEveryMember() {
    Placement.Parsed parsed = Placement.parse(Map.of("other", "x"));
    assertThat(parsed.isValid()).isTrue();
    assertThat(parsed.placement().isEveryMember()).isTrue();
    assertThat(parsed.placement().selects("anything", Map.of())).isTrue();
    assertThat(parsed.placement().describe()).isEqualTo("every member cluster");
  }

  @Test
  void namesAndGlobs() {
    Placement p = placement(Placement.CLUSTERS, " prod-*, staging-eu ,dev-?");
    assertThat(p.selects("prod-eu-1", Map.of())).isTrue();
    assertThat(p.selects("staging-eu", Map.of())).isTrue();
    assertThat(p.selects("dev-1", Map.of())).isTrue();
    assertThat(p.selects("dev-12", Map.of())).isFalse();
    assertThat(p.selects("staging-us", Map.of())).isFalse();
    assertThat(p.clusters()).containsExactly("prod-*", "staging-eu", "dev-?");
    assertThat(p.describe()).isEqualTo("clusters prod-*, staging-eu, dev-?");
    assertThat(p.matchingNoMember(List.of("prod-1", "dev-2"))).containsExactly("staging-eu");
  }

  @Test
  void globsMatchLikeShells() {
    assertThat(Placement.glob("*", "")).isTrue();
    assertThat(Placement.glob("a*b*c", "axxbyyc")).isTrue();
    assertThat(Placement.glob("a*b*c", "axxbyy")).isFalse();
    assertThat(Placement.glob("*-eu", "prod-eu")).isTrue();
    assertThat(Placement.glob("?", "ab")).isFalse();
    assertThat(Placement.glob("**a", "bba")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "a,,b", "a,", "Prod", "default", "prod_1", "p[1]", "a-very-long-cluster-name-over-32-chars"})
  void badClusterListsAreRefused(String value) {
    assertThat(errors(Placement.CLUSTERS, value)).isNotEmpty()
        .allSatisfy(f -> assertThat(f.field()).isEqualTo("metadata.annotations.meshfed.io/clusters"));
  }

  @Test
  void labelSelectors() {
    Placement p = placement(Placement.CLUSTER_SELECTOR, "env = prod, region in (eu-1, eu-2), !canary, region, tier!=db, zone notin (z)");
    assertThat(p.selects("any", PROD_EU)).isTrue();
    assertThat(p.selects("any", STAGING)).isFalse();
    assertThat(p.selects("any", Map.of("env", "prod", "region", "us-1"))).isFalse();
    assertThat(p.selects("any", Map.of("env", "prod", "region", "eu-2", "canary", ""))).isFalse();
    assertThat(p.selects("any", Map.of("env", "prod", "region", "eu-2", "tier", "db"))).isFalse();
    assertThat(p.selects("any", null)).isFalse();
    assertThat(p.describe()).isEqualTo("clusters whose labels match env=prod,region in (eu-1,eu-2),!canary,region,tier!=db,zone notin (z)");
    assertThat(placement(Placement.CLUSTER_SELECTOR, "env==prod").selects("x", PROD_EU)).isTrue();
    assertThat(placement(Placement.CLUSTER_SELECTOR, "canary").selects("x", STAGING)).isTrue();
    assertThat(placement(Placement.CLUSTER_SELECTOR, "env=").selects("x", Map.of("env", ""))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "env in prod", "env in ()", "env in (a,", "env notin (a b)", "env > 1", "=prod", "env=prod,",
      "env=prod,,tier=a", "env prod", "bad key!=x", "env=bad value!", "!", "env=(x)", "a=b)"})
  void badSelectorsAreRefused(String value) {
    assertThat(errors(Placement.CLUSTER_SELECTOR, value)).isNotEmpty()
        .allSatisfy(f -> assertThat(f.field()).isEqualTo("metadata.annotations.meshfed.io/cluster-selector"));
  }

  @Test
  void bothAnnotationsAreAnError() {
    Placement.Parsed parsed = Placement.parse(Map.of(Placement.CLUSTERS, "a", Placement.CLUSTER_SELECTOR, "env=prod"));
    assertThat(parsed.isValid()).isFalse();
    assertThat(parsed.errors()).singleElement().satisfies(f -> assertThat(f.rule()).contains("not both"));
  }

  @Test
  void readsTheAnnotationsOfADocument() {
    Placement.Parsed parsed = Placement.of(PolicyTesting.yaml("metadata:\n  annotations:\n    meshfed.io/clusters: cluster1\n"));
    assertThat(parsed.placement().selects("cluster1", Map.of())).isTrue();
    assertThat(parsed.placement().selects("cluster2", Map.of())).isFalse();
    assertThat(Placement.of(null).placement().isEveryMember()).isTrue();
  }
}
