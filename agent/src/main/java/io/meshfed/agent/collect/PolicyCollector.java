package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.PolicyKind;
import io.meshfed.api.health.v1.PolicyStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies labelled
 * {@code app.kubernetes.io/managed-by=meshfed} (metadata only), with the generation and hash the
 * controller annotated them with, so it can tell which of its pushes arrived.
 */
final class PolicyCollector extends KubeCollector {
  static final String MANAGED_BY = "app.kubernetes.io/managed-by=meshfed";
  static final String GENERATION_ANNOTATION = "meshfed.io/generation";
  static final String HASH_ANNOTATION = "meshfed.io/hash";

  private final ObjectCounter walker;

  PolicyCollector(KubeAccess kube, ObjectCounter walker) {
    super("policies", kube);
    this.walker = walker;
  }

  @Override
  public void collect(Results results) {
    List<PolicyStatus> found = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    boolean[] truncated = {false};
    for (ResourceKind kind : List.of(ResourceKind.CILIUM_NETWORK_POLICIES, ResourceKind.CILIUM_CLUSTERWIDE_NETWORK_POLICIES)) {
      PolicyKind policyKind = kind == ResourceKind.CILIUM_NETWORK_POLICIES
          ? PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY : PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY;
      ObjectCounter.Walk walk = walker.walk(kube.pager(kind, MANAGED_BY, true, item -> {
        if (found.size() < HealthReports.MAX_POLICIES) {
          found.add(status(item, policyKind));
        } else {
          truncated[0] = true;
        }
      }));
      if (walk.error() != null) {
        errors.add(Errors.text(walk.error()));
      } else if (!walk.complete()) {
        truncated[0] = true;
      }
    }
    found.sort(Comparator.comparing(PolicyStatus::getKindValue).thenComparing(PolicyStatus::getNamespace).thenComparing(PolicyStatus::getName));
    results.policies = List.copyOf(found);
    results.policiesTruncated = truncated[0];
    results.policiesError = HealthReports.errorText(String.join("; ", errors));
  }

  static PolicyStatus status(JsonNode item, PolicyKind kind) {
    JsonNode metadata = item.path("metadata");
    JsonNode annotations = metadata.path("annotations");
    PolicyStatus.Builder b = PolicyStatus.newBuilder()
        .setName(metadata.path("name").asText(""))
        .setNamespace(kind == PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY ? metadata.path("namespace").asText("") : "")
        .setKind(kind);
    List<String> errors = new ArrayList<>();
    String generation = annotations.path(GENERATION_ANNOTATION).asText(null);
    if (generation == null) {
      errors.add("annotation " + GENERATION_ANNOTATION + " is missing");
    } else {
      try {
        long g = Long.parseLong(generation.strip());
        if (g < 0) {
          throw new NumberFormatException();
        }
        b.setGeneration(g);
      } catch (NumberFormatException e) {
        errors.add("annotation " + GENERATION_ANNOTATION + " \"" + generation + "\" is not a non-negative integer");
      }
    }
    String hash = annotations.path(HASH_ANNOTATION).asText(null);
    if (hash == null) {
      errors.add("annotation " + HASH_ANNOTATION + " is missing");
    } else if (hash.length() > HealthReports.MAX_HASH_CHARS) {
      errors.add("annotation " + HASH_ANNOTATION + " is longer than " + HealthReports.MAX_HASH_CHARS + " characters");
    } else {
      b.setHash(hash);
    }
    return b.setError(HealthReports.errorText(String.join("; ", errors))).build();
  }

  @Override
  public void fail(Results results, String error) {
    results.policies = List.of();
    results.policiesTruncated = false;
    results.policiesError = error;
  }

  @Override
  public String error(Results results) {
    return results.policiesError;
  }
}
