package io.meshfed.controller.sync.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.IpAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link KeyValue}, {@link Conversion}, {@link EndpointConversion}, {@link MemberCluster}. */
class ValueTypesTest {

  @Test
  @DisplayName("KeyValue compares bytes by content and cannot be changed from outside")
  void keyValue() {
    byte[] bytes = "v".getBytes(StandardCharsets.UTF_8);
    KeyValue kv = new KeyValue("k", bytes);
    bytes[0] = 'x';
    kv.value()[0] = 'y';

    assertThat(kv).isEqualTo(new KeyValue("k", "v".getBytes(StandardCharsets.UTF_8)));
    assertThat(kv).hasSameHashCodeAs(new KeyValue("k", "v".getBytes(StandardCharsets.UTF_8)));
    assertThat(kv.valueAsString()).isEqualTo("v");
    assertThat(kv).isNotEqualTo(new KeyValue("k", "w".getBytes(StandardCharsets.UTF_8)));
    assertThat(kv).hasToString("k = v");
  }

  @Test
  @DisplayName("a refusal needs a finding and summarises them one per line")
  void refused() {
    assertThatThrownBy(() -> new Conversion.Refused(List.of())).isInstanceOf(IllegalArgumentException.class);
    Conversion.Refused refused = new Conversion.Refused(List.of(new Finding("a", "1", "must be 2"),
        Finding.of("b", "must be set")));

    assertThat(refused.summary()).isEqualTo("a: \"1\" must be 2\nb must be set");
  }

  @Test
  @DisplayName("an EndpointConversion's map must list exactly the entries of its conversion")
  void endpointConversionInvariant() {
    EndpointRef ref = new EndpointRef("ns", "pod");
    KeyValue kv = new KeyValue("cilium/cache/ip/v1/c1/10.0.0.1", new byte[] {1});
    IpAddress ip = IpAddress.parse("ip", "10.0.0.1");

    assertThat(EndpointConversion.entries(ref, Map.of(ip, kv)).conversion())
        .isEqualTo(new Conversion.Entries(List.of(kv)));
    assertThatThrownBy(() -> new EndpointConversion(ref, new Conversion.Entries(List.of()), Map.of(ip, kv)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EndpointConversion(ref, Conversion.Refused.of(Finding.of("x", "y")), Map.of(ip, kv)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a member is validated with the api rules")
  void member() {
    assertThat(Fixtures.CLUSTER3.maxConnectedClusters().value()).isEqualTo(255);
    assertThat(Fixtures.CLUSTER3).hasToString("cluster3 (ID 3)");
    assertThatThrownBy(() -> MemberCluster.of("cluster3", 256, Fixtures.CLUSTER3.maxConnectedClusters()))
        .hasMessageContaining("between 1 and 255");
    assertThatThrownBy(() -> MemberCluster.of("Cluster_3", 3, Fixtures.CLUSTER3.maxConnectedClusters()))
        .hasMessageContaining("cluster-name");
  }
}
