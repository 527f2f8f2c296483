package io.meshfed.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.cluster.Finding;
import io.meshfed.controller.policy.validation.Baseline;
import io.meshfed.controller.policy.validation.Placement;
import io.meshfed.controller.policy.validation.PolicyDocuments;
import io.meshfed.controller.policy.validation.PolicySource;
import io.meshfed.controller.policy.validation.PolicyValidation;
import io.meshfed.controller.policy.validation.PolicyValidator;
import io.meshfed.controller.policy.validation.ValidationContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one place that calls {@code policy.validation} (reading, validation, placement, baseline),
 * so the store, rollout, API and CLI depend on this small surface only.
 */
public final class ValidationGate {
  /** The placement annotations (the validation package owns their syntax). */
  public static final String CLUSTERS = Placement.CLUSTERS;
  public static final String CLUSTER_SELECTOR = Placement.CLUSTER_SELECTOR;

  private static final PolicyValidator VALIDATOR = new PolicyValidator();

  private ValidationGate() {}

  /** Which members a policy goes to. */
  public interface Placer {
    boolean selects(String cluster, Map<String, String> labels);
  }

  /** What validation found in one document. */
  public record Checked(PolicySource source, List<Finding> errors, List<Finding> warnings) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }

  /** Files and directories (recursively), multi-document YAML or JSON, as kubectl reads them. */
  public static List<PolicySource> read(Path path) {
    return PolicyDocuments.read(path);
  }

  /** Documents of a text (an API body). */
  public static List<PolicySource> fromText(String origin, String text) {
    return PolicyDocuments.fromText(origin, text);
  }

  public static Checked validate(PolicySource source, Set<String> memberClusters) {
    PolicyValidation v = VALIDATOR.validate(source.document(), new ValidationContext(memberClusters));
    return new Checked(source, v.errors(), v.warnings());
  }

  /** The placement of a policy from its annotations; throws when they cannot be read. */
  public static Placer placement(Map<String, String> annotations) {
    Placement.Parsed parsed = Placement.parse(annotations);
    if (!parsed.isValid()) {
      throw new IllegalArgumentException(parsed.errors().stream().map(Finding::message).collect(Collectors.joining("; ")));
    }
    return parsed.placement()::selects;
  }

  /** How a placement reads in lists, e.g. {@code clusters c1, c2} or {@code every member cluster}. */
  public static String describePlacement(Map<String, String> annotations) {
    Placement.Parsed parsed = Placement.parse(annotations);
    return parsed.isValid() ? parsed.placement().describe() : "unreadable placement";
  }

  /** The baseline policies for a namespace: YAML text, one document per policy. */
  public static String baseline(String namespace) {
    return Baseline.forNamespace(namespace);
  }

  /** The document of a source. */
  public static JsonNode document(PolicySource s) {
    return s.document();
  }
}
