package io.meshfed.controller.sync.convert;

import java.util.Locale;
import java.util.Optional;

/**
 * Which backends a cluster prefers for a global service (annotation
 * {@code service.cilium.io/affinity}, alias {@code io.cilium/service-affinity}; spec 5.1, 5.2;
 * Cilium {@code pkg/annotation/k8s.go GetAnnotationServiceAffinity}).
 *
 * <p>Affinity is applied only by the <em>consuming</em> cluster when it selects backends
 * ({@code pkg/clustermesh/loadbalancer/selectbackends.go}); it is not a field of the exported
 * {@code ClusterService} (spec 2.1). meshfed therefore never writes it to etcd, and only reports
 * it in the merged service view.
 */
public enum ServiceAffinity {

  /** No preference: local and remote backends alike (the default). */
  NONE("none"),

  /** Local backends while any is active; remote ones only as fallback. */
  LOCAL("local"),

  /** Remote backends while any is healthy; local ones only as fallback. */
  REMOTE("remote");

  private final String annotationValue;

  ServiceAffinity(String annotationValue) {
    this.annotationValue = annotationValue;
  }

  /** The annotation value, e.g. {@code local}. */
  public String annotationValue() {
    return annotationValue;
  }

  /**
   * Reads an annotation value as Cilium does: case-insensitive, {@code ""} meaning none.
   *
   * @return the affinity, or empty for an unknown value (Cilium warns and uses none)
   */
  public static Optional<ServiceAffinity> parse(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.isEmpty()) {
      return Optional.of(NONE);
    }
    for (ServiceAffinity affinity : values()) {
      if (affinity.annotationValue.equals(lower)) {
        return Optional.of(affinity);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return annotationValue;
  }
}
