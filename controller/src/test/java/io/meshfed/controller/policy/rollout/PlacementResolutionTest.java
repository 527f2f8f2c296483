package io.meshfed.controller.policy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.controller.policy.Canonical;
import io.meshfed.controller.policy.MeshPolicy;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which members a catalog entry goes to, from the placement annotations and the labels given at join. */
class PlacementResolutionTest {
  static final Map<String, String> PROD_EU = Map.of("env", "prod", "region", "eu");
  static final Map<String, String> STAGING = Map.of("env", "staging");

  static PolicyCatalog.Entry entry(Map<String, String> annotations) {
    ObjectNode doc = new ObjectMapper().createObjectNode();
    doc.put("apiVersion", "cilium.io/v2").put("kind", "CiliumNetworkPolicy");
    ObjectNode meta = doc.putObject("metadata").put("name", "p").put("namespace", "default");
    annotations.forEach((k, v) -> meta.with("annotations").put(k, v));
    doc.putObject("spec").putObject("endpointSelector");
    return PolicyCatalog.entry(MeshPolicy.create(Canonical.canonicalize(doc), Instant.EPOCH));
  }

  @Test
  @DisplayName("no placement annotation: every member")
  void everyMember() {
    PolicyCatalog.Entry e = entry(Map.of());
    assertThat(e.placedIn("c1", PROD_EU)).isTrue();
    assertThat(e.placedIn("anything", Map.of())).isTrue();
  }

  @Test
  @DisplayName("meshfed.io/clusters: names and globs")
  void namesAndGlobs() {
    PolicyCatalog.Entry e = entry(Map.of("meshfed.io/clusters", "prod-*, c2"));
    assertThat(e.placedIn("prod-eu-1", Map.of())).isTrue();
    assertThat(e.placedIn("c2", Map.of())).isTrue();
    assertThat(e.placedIn("c1", PROD_EU)).isFalse();
  }

  @Test
  @DisplayName("meshfed.io/cluster-selector: a label selector over the labels given at join")
  void selector() {
    PolicyCatalog.Entry e = entry(Map.of("meshfed.io/cluster-selector", "env=prod,region in (eu,us)"));
    assertThat(e.placedIn("c1", PROD_EU)).isTrue();
    assertThat(e.placedIn("c3", STAGING)).isFalse();
    assertThat(e.placedIn("c4", Map.of())).isFalse();
  }

  @Test
  @DisplayName("unreadable placement (both annotations): placed nowhere and flagged, so the rollout neither pushes nor prunes it")
  void unreadablePlacement() {
    PolicyCatalog.Entry e = entry(Map.of("meshfed.io/clusters", "c1", "meshfed.io/cluster-selector", "env=prod"));
    assertThat(e.placementError()).contains("meshfed.io/cluster-selector");
    assertThat(e.placedIn("c1", PROD_EU)).isFalse();
  }
}
