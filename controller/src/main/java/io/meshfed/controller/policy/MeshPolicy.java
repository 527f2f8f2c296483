package io.meshfed.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A mesh policy as stored under {@code meshfed/policies/<key>}: the canonical object (see
 * {@link Canonical}), its generation and content hash, and when it was created and last changed.
 *
 * @param key          {@link PolicyKey#id()}
 * @param generation   1 when created, +1 for every change of content; an apply of the same content
 *                     leaves it as it is
 * @param contentHash  {@code sha256:<hex>} of the canonical object with sorted keys
 * @param object       the canonical object: apiVersion, kind, metadata (name, namespace, labels,
 *                     annotations as the user gave them, meshfed's own left out) and spec/specs
 */
public record MeshPolicy(String key, PolicyKind kind, String namespace, String name, long generation, String contentHash,
    ObjectNode object, Instant createdAt, Instant updatedAt) {

  public MeshPolicy {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(object, "object");
  }

  /** A first generation of {@code canonical}. */
  public static MeshPolicy create(ObjectNode canonical, Instant now) {
    PolicyKey k = PolicyKey.of(canonical);
    return new MeshPolicy(k.id(), k.kind(), k.namespace(), k.name(), 1, Canonical.contentHash(canonical), canonical, now, now);
  }

  /**
   * This policy with {@code canonical} as content: the same record when the content is the same
   * (idempotent apply), else the next generation.
   */
  public MeshPolicy next(ObjectNode canonical, Instant now) {
    String hash = Canonical.contentHash(canonical);
    if (hash.equals(contentHash)) {
      return this;
    }
    return new MeshPolicy(key, kind, namespace, name, generation + 1, hash, canonical, createdAt, now);
  }

  public PolicyKey policyKey() {
    return new PolicyKey(kind, namespace, name);
  }

  /** The annotations the user gave (placement among them). */
  public Map<String, String> annotations() {
    return strings(object.path("metadata").path("annotations"));
  }

  public Map<String, String> labels() {
    return strings(object.path("metadata").path("labels"));
  }

  static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
      }
    }
    return out;
  }
}
