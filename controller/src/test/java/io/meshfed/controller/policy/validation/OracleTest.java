package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Our validator against {@code ../shared/cilium/policies/EXPECTED.tsv}: real Cilium policies
 * (cilium-cli's connectivity test and cilium/cilium's examples) and what the CRD schema says of each.
 *
 * <p>The context: members {@code cluster1} and {@code cluster2} (the names the clustermesh examples
 * select) and {@code default} (cilium-cli renders the connectivity manifests with its default cluster
 * name, which meshfed would never admit as a member, but the oracle is about the schema, not our
 * mesh), and default namespace {@code default}, as {@code kubectl apply} without {@code -n} has:
 * 117 of the valid CNPs name no namespace.
 */
class OracleTest {
  static final ValidationContext ORACLE_CONTEXT = new ValidationContext(
      java.util.Set.of("cluster1", "cluster2", "default"), "default");
  private static final Pattern DICT_KEY = Pattern.compile("^\\{'([^']+)'");

  record Row(String file, int document, String expected, String detail) {}

  static List<Row> rows(Path shared) throws IOException {
    List<String> lines = Files.readAllLines(shared.resolve("policies/EXPECTED.tsv"));
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] cols = line.split("\t", 4);
      rows.add(new Row(cols[0], Integer.parseInt(cols[1]), cols[2], cols[3]));
    }
    return rows;
  }

  /** Every document of every file the rows name, by {@code file#index}. */
  static Map<String, JsonNode> documents(Path shared, List<Row> rows) {
    Map<String, JsonNode> out = new HashMap<>();
    for (String file : rows.stream().map(Row::file).distinct().toList()) {
      Path path = shared.resolve(file);
      for (PolicySource source : PolicyDocuments.read(path)) {
        out.put(file + source.origin().substring(path.toString().length()), source.document());
      }
    }
    return out;
  }

  /**
   * The field of our finding for an EXPECTED detail: {@code spec/ingress/0/fromEndpoints: None is not ...}
   * is {@code spec.ingress[0].fromEndpoints}; a rules map ({@code rules: {'kafka': ...}}) is refused at
   * its unknown key, {@code ...rules.kafka}.
   */
  static String expectedField(String detail) {
    int colon = detail.indexOf(": ");
    String pointer = detail.substring(0, colon);
    String message = detail.substring(colon + 2);
    StringBuilder field = new StringBuilder();
    for (String part : pointer.split("/")) {
      if (part.matches("\\d+")) {
        field.append('[').append(part).append(']');
      } else {
        field.append(field.length() == 0 ? "" : ".").append(part);
      }
    }
    Matcher key = DICT_KEY.matcher(message);
    if (key.find()) {
      field.append('.').append(key.group(1));
    }
    return field.toString();
  }

  @Test
  void theOracleHasTheDocumentedTotals() throws IOException {
    Path shared = PolicyTesting.requireSharedCilium();
    Map<String, Long> totals = rows(shared).stream().collect(Collectors.groupingBy(Row::expected, Collectors.counting()));
    assertThat(totals).containsExactlyInAnyOrderEntriesOf(Map.of("valid", 132L, "invalid", 9L, "invalid-strict", 6L, "other-kind", 20L));
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentAsTheOracleSays() throws IOException {
    Path shared = PolicyTesting.requireSharedCilium();
    List<Row> rows = rows(shared);
    Map<String, JsonNode> documents = documents(shared, rows);
    PolicyValidator validator = new PolicyValidator();
    return rows.stream().map(row -> DynamicTest.dynamicTest(row.expected() + " " + row.file() + "#" + row.document(), () -> {
      JsonNode document = documents.get(row.file() + "#" + row.document());
      assertThat(document).as("document %s#%d", row.file(), row.document()).isNotNull();
      PolicyValidation result = validator.validate(document, ORACLE_CONTEXT);
      switch (row.expected()) {
        case "valid" -> assertThat(result.errors()).as(result.summary()).isEmpty();
        case "invalid", "invalid-strict" -> assertThat(PolicyTesting.fields(result.errors())).as(row.detail() + "\n" + result.summary())
            .contains(expectedField(row.detail()));
        case "other-kind" -> assertThat(PolicyTesting.fields(result.errors())).as(result.summary())
            .containsAnyOf("kind", "apiVersion");
        default -> throw new AssertionError("unknown expectation " + row.expected());
      }
    }));
  }

  @Test
  void detailsMapToOurPaths() {
    assertThat(expectedField("spec/egress: None is not of type 'array'")).isEqualTo("spec.egress");
    assertThat(expectedField("specs/0/ingress/0/fromRequires: [{'matchLabels': {'env': 'prod'}}] is expected to be empty"))
        .isEqualTo("specs[0].ingress[0].fromRequires");
    assertThat(expectedField("spec/ingress/0/toPorts/0/rules: {'HTTP': [{'method': 'GET'}]}"))
        .isEqualTo("spec.ingress[0].toPorts[0].rules.HTTP");
    assertThat(expectedField("description: field not declared in the schema")).isEqualTo("description");
  }
}
