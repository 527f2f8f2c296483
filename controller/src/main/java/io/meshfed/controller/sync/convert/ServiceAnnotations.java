package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The clustermesh annotations of a Service, read exactly as Cilium reads them (spec 5.1; Cilium
 * {@code pkg/annotation/k8s.go}, {@code annotation.Get}):
 * <ul>
 *   <li>each annotation has a current name and an old alias; the current name wins whenever it
 *       is present, even if the alias says otherwise;</li>
 *   <li>{@code global} ({@code service.cilium.io/global} / {@code io.cilium/global-service}) is
 *       true only for a case-insensitive {@code "true"};</li>
 *   <li>{@code shared} ({@code service.cilium.io/shared} / {@code io.cilium/shared-service})
 *       counts only for a global service; absent means true, present means
 *       case-insensitive {@code "true"};</li>
 *   <li>{@code affinity} ({@code service.cilium.io/affinity} / {@code io.cilium/service-affinity})
 *       counts only for a global service; an unknown value is a warning and reads as
 *       {@link ServiceAffinity#NONE}.</li>
 * </ul>
 * Values other than true/false for global and shared are also reported as warnings: Cilium
 * reads them as false without a word, which is rarely what the author meant.
 *
 * @param global   remote backends are included; the service takes part in the mesh
 * @param shared   this cluster exports its own backends
 * @param affinity the backend preference of this cluster as a consumer
 * @param warnings annotation values that were read in a way the author may not expect
 */
public record ServiceAnnotations(boolean global, boolean shared, ServiceAffinity affinity, List<Finding> warnings) {

  /** Marks a service global. */
  public static final String GLOBAL = "service.cilium.io/global";
  /** The pre-1.13 name of {@link #GLOBAL}. */
  public static final String GLOBAL_ALIAS = "io.cilium/global-service";
  /** {@code "false"} keeps a global service's local backends out of the mesh. */
  public static final String SHARED = "service.cilium.io/shared";
  /** The pre-1.13 name of {@link #SHARED}. */
  public static final String SHARED_ALIAS = "io.cilium/shared-service";
  /** Backend preference: local, remote or none. */
  public static final String AFFINITY = "service.cilium.io/affinity";
  /** The pre-1.13 name of {@link #AFFINITY}. */
  public static final String AFFINITY_ALIAS = "io.cilium/service-affinity";

  /** Copies the warnings. */
  public ServiceAnnotations {
    Objects.requireNonNull(affinity, "affinity");
    warnings = List.copyOf(warnings);
  }

  /** Reads a Service's annotations ({@code null} = none). */
  public static ServiceAnnotations read(Map<String, String> annotations) {
    Map<String, String> source = annotations == null ? Map.of() : annotations;
    List<Finding> warnings = new ArrayList<>();
    boolean global = flag(source, GLOBAL, GLOBAL_ALIAS, warnings).orElse(false);
    if (!global) {
      return new ServiceAnnotations(false, false, ServiceAffinity.NONE, warnings);
    }
    boolean shared = flag(source, SHARED, SHARED_ALIAS, warnings).orElse(true);
    ServiceAffinity affinity = ServiceAffinity.NONE;
    Optional<Named> affinityValue = get(source, AFFINITY, AFFINITY_ALIAS);
    if (affinityValue.isPresent()) {
      Optional<ServiceAffinity> parsed = ServiceAffinity.parse(affinityValue.get().value());
      if (parsed.isEmpty()) {
        warnings.add(new Finding(annotationField(affinityValue.get().name()), affinityValue.get().value(),
            "must be local, remote or none; treated as none (spec 5.1)"));
      }
      affinity = parsed.orElse(ServiceAffinity.NONE);
    }
    return new ServiceAnnotations(true, shared, affinity, warnings);
  }

  /** True when this cluster writes the service to the mesh: global and shared (spec 2.1). */
  public boolean exported() {
    return global && shared;
  }

  /** A flag: true only for "true" in any case; empty when neither name is present. */
  private static Optional<Boolean> flag(Map<String, String> source, String name, String alias, List<Finding> warnings) {
    Optional<Named> value = get(source, name, alias);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String lower = value.get().value().toLowerCase(Locale.ROOT);
    if (!lower.equals("true") && !lower.equals("false")) {
      warnings.add(new Finding(annotationField(value.get().name()), value.get().value(),
          "should be \"true\" or \"false\"; Cilium reads anything but \"true\" as false"));
    }
    return Optional.of(lower.equals("true"));
  }

  /** Cilium's {@code annotation.Get}: the current name if present, else the alias. */
  private static Optional<Named> get(Map<String, String> source, String name, String alias) {
    if (source.containsKey(name)) {
      return Optional.of(new Named(name, Objects.toString(source.get(name), "")));
    }
    if (source.containsKey(alias)) {
      return Optional.of(new Named(alias, Objects.toString(source.get(alias), "")));
    }
    return Optional.empty();
  }

  private static String annotationField(String name) {
    return "metadata.annotations[\"" + name + "\"]";
  }

  private record Named(String name, String value) {
  }
}
