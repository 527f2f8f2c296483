package io.meshfed.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json refuses bad values, and Helm's message names the field. */
class SchemaTest {

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(Charts.CONTROLLER, "replicas: -1", "/replicas"),
        Arguments.of(Charts.CONTROLLER, "replicas: two", "/replicas"),
        Arguments.of(Charts.CONTROLLER, "controller:\n  leaderLeaseSeconds: 1", "/controller/leaderLeaseSeconds"),
        Arguments.of(Charts.CONTROLLER, "bogus: 1", "'bogus'"),
        Arguments.of(Charts.CONTROLLER, "mesh: Bad_Mesh", "/mesh"),
        Arguments.of(Charts.CONTROLLER, "etcd:\n  endpoints: [\"http://etcd:2379\"]", "/etcd/endpoints/0"),
        Arguments.of(Charts.CONTROLLER, "etcd:\n  endpoints: []", "/etcd/endpoints"),
        Arguments.of(Charts.CONTROLLER, "etcd:\n  bundled:\n    enabled: true\n    replicas: 2", "/etcd/bundled/replicas"),
        Arguments.of(Charts.CONTROLLER, "etcd:\n  bundled:\n    enabled: true\n    extra: 1", "'extra'"),
        Arguments.of(Charts.CONTROLLER, "caPassphrase:\n  mountAs: argv", "/caPassphrase/mountAs"),
        Arguments.of(Charts.CONTROLLER, "controller:\n  leaveGraceSeconds: 4000", "/controller/leaveGraceSeconds"),
        Arguments.of(Charts.CONTROLLER, "controller:\n  ports:\n    grpc: 70000", "/controller/ports/grpc"),
        Arguments.of(Charts.CONTROLLER, "controller:\n  reportIntervalSeconds: 0", "/controller/reportIntervalSeconds"),
        Arguments.of(Charts.CONTROLLER, "advertiseUrl: http://meshfed.example:8443", "/advertiseUrl"),
        Arguments.of(Charts.CONTROLLER, "service:\n  type: ExternalName", "/service/type"),
        Arguments.of(Charts.CONTROLLER, "commonLabels:\n  app.kubernetes.io/name: x", "/commonLabels"),
        Arguments.of(Charts.CONTROLLER, "networkPolicy:\n  egress:\n    restrict: maybe", "/networkPolicy/egress/restrict"),
        Arguments.of(Charts.AGENT, "clusterName: Bad_Name", "/clusterName"),
        Arguments.of(Charts.AGENT, "clusterName: -c1", "/clusterName"),
        Arguments.of(Charts.AGENT, "clusterName: " + "a".repeat(33), "/clusterName"),
        Arguments.of(Charts.AGENT, "reportInterval: 0", "/reportInterval"),
        Arguments.of(Charts.AGENT, "bogus: 1", "'bogus'"),
        Arguments.of(Charts.AGENT, "controller:\n  address: https://meshfed.example:9443", "/controller/address"),
        Arguments.of(Charts.AGENT, "controller:\n  address: meshfed.example", "/controller/address"),
        Arguments.of(Charts.AGENT, "controller:\n  address: meshfed.example:9443\n  port: 1", "'port'"),
        Arguments.of(Charts.AGENT, "etcdProxy:\n  enabled: true", "/etcdProxy/endpoints"),
        Arguments.of(Charts.AGENT, "etcdProxy:\n  enabled: true\n  endpoints: [\"etcd:2379\"]", "/etcdProxy/endpoints/0"),
        Arguments.of(Charts.AGENT, "tls:\n  secretName: \"\"", "/tls/secretName"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("refused")
  void templateRefusesAndNamesTheField(String chart, String values, String field) {
    assertThat(Charts.refusal(chart, values + "\n")).contains("schema").contains(field);
  }

  @Test
  void requiredValuesAreRequired() {
    assertThat(Charts.refusal(Charts.CONTROLLER, false, "etcd:\n  endpoints: [\"https://e:2379\"]\n")).contains("missing property 'mesh'");
    assertThat(Charts.refusal(Charts.AGENT, false, "controller:\n  address: m:9443\n")).contains("missing property 'clusterName'");
    assertThat(Charts.refusal(Charts.AGENT, false, "clusterName: c1\n"))
        .contains("/controller").contains("missing property 'address'");
    // External etcd needs at least one endpoint unless the bundled etcd is on.
    assertThat(Charts.refusal(Charts.CONTROLLER, false, "mesh: prod\n")).contains("/etcd/endpoints");
    assertThat(Charts.render(Charts.CONTROLLER, "etcd:\n  endpoints: []\n  bundled:\n    enabled: true\n")).isNotEmpty();
  }

  @Test
  void lintRefusesBadValuesAndNamesTheField() {
    LintResult controller = Charts.lint(Charts.CONTROLLER, "mesh: prod\netcd:\n  endpoints: [\"https://e:2379\"]\nreplicas: -1\n");
    assertThat(controller.isFailed()).isTrue();
    assertThat(String.join("\n", controller.getMessages())).contains("/replicas");
    LintResult agent = Charts.lint(Charts.AGENT, "clusterName: Bad_Name\ncontroller:\n  address: m:9443\nreportInterval: 0\n");
    assertThat(agent.isFailed()).isTrue();
    assertThat(String.join("\n", agent.getMessages())).contains("/clusterName").contains("/reportInterval");
  }
}
