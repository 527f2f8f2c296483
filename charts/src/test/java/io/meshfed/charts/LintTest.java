package io.meshfed.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `helm lint --strict` through real Helm. */
class LintTest {

  @ParameterizedTest
  @ValueSource(strings = {Charts.CONTROLLER, Charts.AGENT})
  void strictLintPassesWithTheRequiredValues(String chart) {
    LintResult result = Charts.lint(chart, Charts.read(Charts.requiredValues(chart)));
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @ParameterizedTest
  @ValueSource(strings = {Charts.CONTROLLER, Charts.AGENT})
  void asShippedLintNamesTheValuesWithoutDefault(String chart) {
    LintResult result = Charts.lint(chart, null);
    assertThat(result.isFailed()).isTrue();
    String messages = String.join("\n", result.getMessages());
    if (chart.equals(Charts.CONTROLLER)) {
      assertThat(messages).contains("missing property 'mesh'");
    } else {
      assertThat(messages).contains("missing property 'clusterName'").contains("missing property 'address'");
    }
  }
}
