package io.meshfed.controller.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one definition of a policy's content, used for the mesh record, the content hash, the
 * object pushed to a member and the drift check of what a member holds.
 *
 * <p>Content is: apiVersion, kind, {@code metadata.name}, {@code metadata.namespace} (namespaced
 * kinds only), {@code metadata.labels} and {@code metadata.annotations} as given, and
 * {@code spec}/{@code specs}. Left out: status and everything the API server adds to metadata;
 * meshfed's own label {@code app.kubernetes.io/managed-by} and annotations
 * {@code meshfed.io/generation|hash|policy} (set on push, ignored in input); kubectl's
 * {@code last-applied-configuration}. Defaults the Cilium CRD schemas declare are filled in
 * ({@code icmps[].fields[].family: IPv4}, the only one), so what an API server stores hashes the same
 * as what was pushed.
 *
 * <p>The content hash is {@code sha256:} and the hex SHA-256 of the content as compact JSON with
 * the keys of every object sorted (array order kept).
 */
public final class Canonical {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MESHFED = "meshfed";
  public static final String GENERATION = "meshfed.io/generation";
  public static final String HASH = "meshfed.io/hash";
  public static final String POLICY = "meshfed.io/policy";
  static final Set<String> OWN_ANNOTATIONS = Set.of(GENERATION, HASH, POLICY);
  static final Set<String> IGNORED_ANNOTATIONS = Set.of("kubectl.kubernetes.io/last-applied-configuration");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Canonical() {}

  /** The content of a policy document or of an object read from a member. */
  public static ObjectNode canonicalize(JsonNode doc) {
    ObjectNode out = NODES.objectNode();
    out.put("apiVersion", doc.path("apiVersion").asText(PolicyKind.API_VERSION));
    String kind = doc.path("kind").asText();
    out.put("kind", kind);
    JsonNode meta = doc.path("metadata");
    ObjectNode m = out.putObject("metadata");
    m.put("name", meta.path("name").asText());
    boolean namespaced = PolicyKind.ofKind(kind).map(PolicyKind::namespaced).orElse(meta.hasNonNull("namespace"));
    if (namespaced && meta.hasNonNull("namespace")) {
      m.put("namespace", meta.path("namespace").asText());
    }
    ObjectNode labels = copyExcept(meta.path("labels"), Set.of(MANAGED_BY));
    if (!labels.isEmpty()) {
      m.set("labels", labels);
    }
    ObjectNode annotations = copyExcept(meta.path("annotations"), union(OWN_ANNOTATIONS, IGNORED_ANNOTATIONS));
    if (!annotations.isEmpty()) {
      m.set("annotations", annotations);
    }
    for (String field : List.of("spec", "specs")) {
      if (doc.has(field) && !doc.get(field).isNull()) {
        JsonNode copy = doc.get(field).deepCopy();
        applyDefaults(copy);
        out.set(field, copy);
      }
    }
    return out;
  }

  /** {@code sha256:<hex>} of {@code canonical} (see the class comment). */
  public static String contentHash(JsonNode canonical) {
    try {
      byte[] json = JSON.writeValueAsBytes(sorted(canonical));
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a policy: " + e.getMessage(), e);
    }
  }

  /** The content hash of whatever object (a document, a member's object): hash of its canonical form. */
  public static String contentHashOf(JsonNode anyObject) {
    return contentHash(canonicalize(anyObject));
  }

  /**
   * The object pushed to members: the content plus {@code app.kubernetes.io/managed-by=meshfed}
   * and the annotations an agent reads ({@code meshfed.io/generation}, {@code meshfed.io/hash})
   * and {@code meshfed.io/policy} (the key).
   */
  public static ObjectNode memberObject(MeshPolicy p) {
    ObjectNode obj = p.object().deepCopy();
    ObjectNode meta = (ObjectNode) obj.get("metadata");
    ObjectNode labels = meta.has("labels") ? (ObjectNode) meta.get("labels") : NODES.objectNode();
    labels.put(MANAGED_BY, MESHFED);
    ObjectNode annotations = meta.has("annotations") ? (ObjectNode) meta.get("annotations") : NODES.objectNode();
    annotations.put(GENERATION, Long.toString(p.generation()));
    annotations.put(HASH, p.contentHash());
    annotations.put(POLICY, p.key());
    // labels and annotations after name/namespace, in that order
    meta.remove("labels");
    meta.remove("annotations");
    meta.set("labels", labels);
    meta.set("annotations", annotations);
    return obj;
  }

  /** An annotation of an object, if present. */
  public static Optional<String> annotation(JsonNode obj, String name) {
    JsonNode v = obj.path("metadata").path("annotations").get(name);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  /** True when the object carries {@code app.kubernetes.io/managed-by=meshfed}. */
  public static boolean isManaged(JsonNode obj) {
    return MESHFED.equals(obj.path("metadata").path("labels").path(MANAGED_BY).asText(null));
  }

  /** Messages for meshfed's own label and annotations found in input (they are ignored). */
  public static List<String> reservedInInput(JsonNode doc) {
    List<String> out = new ArrayList<>();
    JsonNode labels = doc.path("metadata").path("labels");
    if (labels.has(MANAGED_BY) && !MESHFED.equals(labels.path(MANAGED_BY).asText())) {
      out.add("metadata.labels[\"" + MANAGED_BY + "\"] is set by meshfed to \"meshfed\" in every member; the value given is ignored");
    }
    JsonNode annotations = doc.path("metadata").path("annotations");
    for (String a : OWN_ANNOTATIONS) {
      if (annotations.has(a)) {
        out.add("metadata.annotations[\"" + a + "\"] is set by meshfed; the value given is ignored");
      }
    }
    return out;
  }

  /** A copy with the keys of every object sorted, arrays in their order. */
  public static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      node.fields().forEachRemaining(e -> fields.put(e.getKey(), sorted(e.getValue())));
      ObjectNode out = NODES.objectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }

  /** CRD defaults the API server fills in: {@code icmps[].fields[].family} is {@code IPv4} when absent. */
  static void applyDefaults(JsonNode node) {
    if (node.isObject()) {
      JsonNode icmps = node.get("icmps");
      if (icmps != null && icmps.isArray()) {
        for (JsonNode rule : icmps) {
          JsonNode fields = rule.get("fields");
          if (fields != null && fields.isArray()) {
            for (JsonNode f : fields) {
              if (f.isObject() && !f.has("family")) {
                ((ObjectNode) f).put("family", "IPv4");
              }
            }
          }
        }
      }
      for (Iterator<JsonNode> it = node.elements(); it.hasNext();) {
        applyDefaults(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(Canonical::applyDefaults);
    }
  }

  private static ObjectNode copyExcept(JsonNode map, Set<String> except) {
    ObjectNode out = NODES.objectNode();
    if (map != null && map.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!except.contains(e.getKey())) {
          out.set(e.getKey(), e.getValue().deepCopy());
        }
      }
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.HashSet<String> s = new java.util.HashSet<>(a);
    s.addAll(b);
    return s;
  }
}
