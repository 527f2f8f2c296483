package io.meshfed.controller.policy.validation;

import static io.meshfed.controller.policy.validation.Report.child;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validates a {@code CiliumNetworkPolicy} or {@code CiliumClusterwideNetworkPolicy} before meshfed
 * stores it or pushes it to member clusters: the CRD's schema (strictly, like {@code kubectl apply}:
 * unknown fields are errors), what the Cilium agent refuses beyond the schema, the mesh's cluster
 * names in selectors, and the placement annotations.
 *
 * <p>Every error and warning is collected, each naming its full path
 * ({@code spec.ingress[0].toPorts[0].rules.http[1].path}). It never throws: any JSON tree, of any
 * shape, gets findings. Thread-safe and stateless.
 */
public final class PolicyValidator {

  /** The only apiVersion accepted. */
  public static final String API_VERSION = "cilium.io/v2";
  /** The namespaced kind. */
  public static final String CNP = "CiliumNetworkPolicy";
  /** The cluster-scoped kind. */
  public static final String CCNP = "CiliumClusterwideNetworkPolicy";

  private static final List<String> TOP_LEVEL_FIELDS = List.of("apiVersion", "kind", "metadata", "spec", "specs", "status");
  private static final Map<String, String> TOP_LEVEL_HINTS = Map.of(
      "description", ": move it into spec (spec.description); the policy object has no top-level description",
      "endpointSelector", ": belongs inside spec", "nodeSelector", ": belongs inside spec",
      "ingress", ": belongs inside spec", "egress", ": belongs inside spec",
      "ingressDeny", ": belongs inside spec", "egressDeny", ": belongs inside spec");
  /** ObjectMeta's fields; others are dropped by the API server (and refused by kubectl's strict validation). */
  private static final Set<String> OBJECT_META_FIELDS = Set.of("name", "generateName", "namespace", "labels", "annotations",
      "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
      "ownerReferences", "finalizers", "managedFields", "selfLink");
  private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

  /**
   * Validates one document.
   *
   * @param document the manifest as a JSON tree (from {@link PolicyDocuments} or an API body); any shape
   * @param context  the mesh: member cluster names, default namespace
   */
  public PolicyValidation validate(JsonNode document, ValidationContext context) {
    Report report = new Report();
    try {
      check(document, context == null ? new ValidationContext(Set.of()) : context, report);
    } catch (RuntimeException e) {
      report.error("document", null, "could not be validated (" + e + "): this is a meshfed bug, please report it");
    }
    return report.result();
  }

  private void check(JsonNode document, ValidationContext context, Report report) {
    if (document == null || !document.isObject()) {
      report.error("document", null, "must be an object (a Kubernetes manifest), not "
          + (document == null ? "nothing" : Report.describe(document)));
      return;
    }
    ObjectNode doc = (ObjectNode) document;
    if (!doc.has("apiVersion")) {
      report.error("apiVersion", null, "is required: " + API_VERSION);
    } else {
      String apiVersion = report.string(doc.get("apiVersion"), "apiVersion");
      if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
        report.error("apiVersion", apiVersion, "must be " + API_VERSION);
      }
    }
    String kind = doc.has("kind") ? report.string(doc.get("kind"), "kind") : null;
    if (!doc.has("kind")) {
      report.error("kind", null, "is required: " + CNP + " or " + CCNP);
    } else if (kind != null && !kind.equals(CNP) && !kind.equals(CCNP)) {
      report.error("kind", kind, "must be " + CNP + " or " + CCNP + " (meshfed distributes Cilium policies only)");
    }
    if (!CNP.equals(kind) && !CCNP.equals(kind)) {
      return;
    }
    boolean clusterwide = kind.equals(CCNP);
    report.knownFields(doc, "", TOP_LEVEL_FIELDS, TOP_LEVEL_HINTS);
    metadata(doc.get("metadata"), clusterwide, context, report);
    if (doc.has("status")) {
      report.object(doc.get("status"), "status");
      report.warn("status", null, "is ignored: Cilium writes the status of a policy");
    }
    Rules rules = new Rules(report, context);
    if (!doc.has("spec") && !doc.has("specs")) {
      report.error("spec", null, "is required (or specs, a list of rules)");
    }
    if (doc.has("spec")) {
      rules.rule(doc.get("spec"), "spec", clusterwide);
    }
    ArrayNode specs = report.list(doc.get("specs"), "specs");
    if (specs != null) {
      if (specs.isEmpty() && !doc.has("spec")) {
        report.warn("specs", null, "is empty: the policy has no rules");
      }
      for (int i = 0; i < specs.size(); i++) {
        rules.rule(specs.get(i), Report.index("specs", i), clusterwide);
      }
    }
  }

  private void metadata(JsonNode node, boolean clusterwide, ValidationContext context, Report report) {
    if (node == null) {
      report.error("metadata", null, "is required (with at least a name)");
      return;
    }
    ObjectNode metadata = report.object(node, "metadata");
    if (metadata == null) {
      return;
    }
    for (String field : (Iterable<String>) metadata::fieldNames) {
      if (!OBJECT_META_FIELDS.contains(field)) {
        report.warn(child("metadata", field), null, "is not a field of Kubernetes object metadata: the API server drops it "
            + "(kubectl apply --validate=strict refuses it)");
      }
    }
    report.required(metadata, "metadata", "name");
    String name = report.string(metadata.get("name"), "metadata.name");
    if (name != null && CiliumSyntax.dnsSubdomainProblem(name) != null) {
      report.error("metadata.name", name, CiliumSyntax.dnsSubdomainProblem(name));
    }
    namespace(metadata, clusterwide, context, report);
    labels(metadata.get("labels"), report);
    annotations(metadata.get("annotations"), context, report);
  }

  private void namespace(ObjectNode metadata, boolean clusterwide, ValidationContext context, Report report) {
    if (clusterwide) {
      if (metadata.has("namespace")) {
        report.error("metadata.namespace", metadata.get("namespace").asText(null),
            "must not be set: a " + CCNP + " is cluster-scoped");
      }
      return;
    }
    if (!metadata.has("namespace")) {
      if (context.defaultNamespace() == null) {
        report.error("metadata.namespace", null, "is required for a " + CNP + " (no default namespace was given)");
      }
      return;
    }
    String namespace = report.string(metadata.get("namespace"), "metadata.namespace");
    if (namespace != null && CiliumSyntax.dnsLabelProblem(namespace) != null) {
      report.error("metadata.namespace", namespace, CiliumSyntax.dnsLabelProblem(namespace));
    }
  }

  private void labels(JsonNode node, Report report) {
    ObjectNode labels = report.object(node, "metadata.labels");
    if (labels == null) {
      return;
    }
    labels.properties().forEach(e -> {
      String path = child("metadata.labels", e.getKey());
      String keyProblem = CiliumSyntax.qualifiedNameProblem(e.getKey());
      if (keyProblem != null) {
        report.error(path, e.getKey(), "is not a valid label key: " + keyProblem);
      }
      String value = report.string(e.getValue(), path);
      if (value != null && CiliumSyntax.labelValueProblem(value) != null) {
        report.error(path, value, CiliumSyntax.labelValueProblem(value));
      }
    });
  }

  private void annotations(JsonNode node, ValidationContext context, Report report) {
    ObjectNode annotations = report.object(node, "metadata.annotations");
    if (annotations == null) {
      return;
    }
    Map<String, String> values = new TreeMap<>();
    long bytes = 0;
    for (Map.Entry<String, JsonNode> e : annotations.properties()) {
      String path = child("metadata.annotations", e.getKey());
      String keyProblem = CiliumSyntax.qualifiedNameProblem(e.getKey().toLowerCase(Locale.ROOT));
      if (keyProblem != null) {
        report.error(path, e.getKey(), "is not a valid annotation key: " + keyProblem);
      }
      String value = report.string(e.getValue(), path);
      if (value != null) {
        values.put(e.getKey(), value);
        bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
      }
      if (e.getKey().startsWith(Placement.ANNOTATION_PREFIX) && !e.getKey().equals(Placement.CLUSTERS)
          && !e.getKey().equals(Placement.CLUSTER_SELECTOR)) {
        report.warn(path, null, "is not a meshfed annotation (known: " + Placement.CLUSTERS + ", " + Placement.CLUSTER_SELECTOR + ")");
      }
    }
    if (bytes > MAX_ANNOTATIONS_BYTES) {
      report.error("metadata.annotations", null, "must total at most 256 KiB (has " + bytes + " bytes)");
    }
    Placement.Parsed placement = Placement.parse(values);
    report.addErrors(placement.errors());
    if (placement.isValid()) {
      for (String unmatched : placement.placement().matchingNoMember(context.memberClusters())) {
        report.warn(child("metadata.annotations", Placement.CLUSTERS), unmatched, "matches no member of the mesh (members: "
            + context.membersText() + "): the policy goes nowhere for it until such a cluster joins");
      }
    }
  }

  /** Convenience: validates each source, keyed by origin, in order. */
  public Map<String, PolicyValidation> validateAll(List<PolicySource> sources, ValidationContext context) {
    Map<String, PolicyValidation> out = new LinkedHashMap<>();
    for (PolicySource source : sources) {
      out.put(source.origin(), validate(source.document(), context));
    }
    return out;
  }
}
