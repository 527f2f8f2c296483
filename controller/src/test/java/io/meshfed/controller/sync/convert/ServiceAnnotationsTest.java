package io.meshfed.controller.sync.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.Finding;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cilium's reading of the clustermesh annotations (spec 5.1, {@code pkg/annotation/k8s.go}). */
class ServiceAnnotationsTest {

  static Map<String, String> annotations(String... nameValue) {
    Map<String, String> annotations = new HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      if (!nameValue[i + 1].equals("<absent>")) {
        annotations.put(nameValue[i], nameValue[i + 1]);
      }
    }
    return annotations;
  }

  @ParameterizedTest(name = "global={0} alias={1} shared={2} sharedAlias={3} → global {4}, shared {5}")
  @CsvSource({
      "<absent>, <absent>, <absent>, <absent>, false, false",
      "true,     <absent>, <absent>, <absent>, true,  true",
      "TRUE,     <absent>, <absent>, <absent>, true,  true",
      "<absent>, true,     <absent>, <absent>, true,  true",
      "<absent>, tRuE,     <absent>, <absent>, true,  true",
      "false,    true,     <absent>, <absent>, false, false",
      "true,     false,    <absent>, <absent>, true,  true",
      "yes,      <absent>, <absent>, <absent>, false, false",
      "true,     <absent>, false,    <absent>, true,  false",
      "true,     <absent>, FALSE,    <absent>, true,  false",
      "true,     <absent>, <absent>, false,    true,  false",
      "true,     <absent>, true,     false,    true,  true",
      "true,     <absent>, '',       <absent>, true,  false",
      "<absent>, <absent>, true,     <absent>, false, false"})
  @DisplayName("global and shared, with their aliases and any case")
  void globalAndShared(String global, String globalAlias, String shared, String sharedAlias, boolean expectGlobal,
      boolean expectShared) {
    ServiceAnnotations read = ServiceAnnotations.read(annotations(ServiceAnnotations.GLOBAL, global,
        ServiceAnnotations.GLOBAL_ALIAS, globalAlias, ServiceAnnotations.SHARED, shared,
        ServiceAnnotations.SHARED_ALIAS, sharedAlias));

    assertThat(read.global()).isEqualTo(expectGlobal);
    assertThat(read.shared()).isEqualTo(expectShared);
    assertThat(read.exported()).isEqualTo(expectGlobal && expectShared);
  }

  @ParameterizedTest(name = "affinity \"{0}\" → {1}")
  @CsvSource({"local, LOCAL", "LOCAL, LOCAL", "remote, REMOTE", "Remote, REMOTE", "none, NONE", "'', NONE",
      "nearest, NONE"})
  @DisplayName("affinity values, case-insensitive, unknown as none")
  void affinity(String value, ServiceAffinity expected) {
    ServiceAnnotations read = ServiceAnnotations.read(Map.of(ServiceAnnotations.GLOBAL, "true",
        ServiceAnnotations.AFFINITY, value));

    assertThat(read.affinity()).isEqualTo(expected);
    assertThat(read.warnings()).hasSize(value.equals("nearest") ? 1 : 0);
  }

  @Test
  @DisplayName("a global or shared value other than true/false is read as false, with a warning")
  void odditiesWarned() {
    ServiceAnnotations read = ServiceAnnotations.read(Map.of(ServiceAnnotations.GLOBAL, "true",
        ServiceAnnotations.SHARED_ALIAS, "no"));

    assertThat(read.shared()).isFalse();
    assertThat(read.warnings()).extracting(Finding::field)
        .containsExactly("metadata.annotations[\"io.cilium/shared-service\"]");
  }

  @Test
  @DisplayName("no annotations at all")
  void none() {
    assertThat(ServiceAnnotations.read(null))
        .isEqualTo(new ServiceAnnotations(false, false, ServiceAffinity.NONE, java.util.List.of()));
  }
}
