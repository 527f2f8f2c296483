package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels on every object meshfed creates in a member, and the ownership test built on them.
 *
 * <p>Ownership is decided by {@code app.kubernetes.io/managed-by=meshfed} alone: it is what tells
 * an object we may update or delete from one that merely has the same name, which we never touch.
 */
public final class MeshfedLabels {

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MESHFED = "meshfed";

  /** Both labels, in a fixed order. */
  public static final Map<String, String> ALL = Map.of(MANAGED_BY, MESHFED, PART_OF, MESHFED);

  private MeshfedLabels() {
  }

  /** True when the object carries {@code app.kubernetes.io/managed-by=meshfed}. */
  public static boolean isOurs(HasMetadata object) {
    Map<String, String> labels = object.getMetadata() == null ? null : object.getMetadata().getLabels();
    return labels != null && MESHFED.equals(labels.get(MANAGED_BY));
  }

  /** True when the object carries every meshfed label. */
  static boolean hasAll(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(ALL.entrySet());
  }

  /** The object's labels with ours added (a copy; labels put there by others are kept). */
  static Map<String, String> withOurs(Map<String, String> labels) {
    Map<String, String> merged = labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(labels);
    merged.putAll(ALL);
    return merged;
  }
}
