package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.cluster.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers of the policy validation tests. */
final class PolicyTesting {
  static final PolicyValidator VALIDATOR = new PolicyValidator();
  static final ValidationContext MESH = ValidationContext.members("cluster1", "cluster2");

  private PolicyTesting() {}

  /** The one document of a YAML text. */
  static JsonNode yaml(String text) {
    List<PolicySource> sources = PolicyDocuments.fromText("test", text);
    assertThat(sources).hasSize(1);
    return sources.get(0).document();
  }

  static PolicyValidation validate(String text) {
    return VALIDATOR.validate(yaml(text), MESH);
  }

  static List<String> fields(List<Finding> findings) {
    return findings.stream().map(Finding::field).toList();
  }

  /** Asserts one error names {@code field} and returns it. */
  static Finding errorAt(PolicyValidation result, String field) {
    assertThat(fields(result.errors())).as(result.summary()).contains(field);
    return result.errors().stream().filter(f -> f.field().equals(field)).findFirst().orElseThrow();
  }

  /** {@code ../shared/cilium} next to the repository, found from the working directory upwards. */
  static Optional<Path> sharedCilium() {
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared").resolve("cilium");
      if (dir.getParent() != null && Files.isDirectory(candidate.resolve("policies"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The shared Cilium oracle, or an aborted (skipped) test when it is absent. */
  static Path requireSharedCilium() {
    Optional<Path> shared = sharedCilium();
    if (shared.isEmpty()) {
      Assumptions.abort("../shared/cilium not present: oracle tests skipped");
    }
    return shared.get();
  }
}
