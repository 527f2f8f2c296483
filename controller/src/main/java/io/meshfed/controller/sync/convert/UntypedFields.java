package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.Finding;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Typed reads from the untyped maps fabric8 keeps for custom resources
 * ({@code GenericKubernetesResource.getAdditionalProperties()}), remembering the path so a wrong
 * type becomes a finding such as {@code status.identity.id: "abc" must be an integer}.
 *
 * <p>Absent fields and JSON {@code null} read as empty; a present field of the wrong type throws
 * {@link BadField}. Numbers are accepted in every form Jackson or a test may produce, as long as
 * they are integral.
 */
final class UntypedFields {

  private final Map<?, ?> fields;
  private final String path;

  private UntypedFields(Map<?, ?> fields, String path) {
    this.fields = fields;
    this.path = path;
  }

  /** The top level of a resource, whose fields are named without prefix ({@code status}, {@code spec}). */
  static UntypedFields root(Map<String, Object> fields) {
    return new UntypedFields(fields == null ? Map.of() : fields, "");
  }

  /** The path of a field of this object, e.g. {@code status.networking.node}. */
  String pathOf(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A nested object, or an empty object (with the right path) when it is absent. */
  UntypedFields object(String name) throws BadField {
    Object value = fields.get(name);
    if (value == null) {
      return new UntypedFields(Map.of(), pathOf(name));
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new BadField(pathOf(name), value, "must be an object");
    }
    return new UntypedFields(map, pathOf(name));
  }

  /** A list of objects; elements are named {@code name[i]}. */
  List<UntypedFields> objects(String name) throws BadField {
    List<?> list = list(name);
    List<UntypedFields> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String elementPath = pathOf(name) + "[" + i + "]";
      Object element = list.get(i);
      if (!(element instanceof Map<?, ?> map)) {
        throw new BadField(elementPath, element, "must be an object");
      }
      out.add(new UntypedFields(map, elementPath));
    }
    return out;
  }

  /** A string, or empty when absent. */
  Optional<String> string(String name) throws BadField {
    Object value = fields.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw new BadField(pathOf(name), value, "must be a string");
    }
    return Optional.of(text);
  }

  /** A string, or {@code ""} when absent. */
  String stringOrEmpty(String name) throws BadField {
    return string(name).orElse("");
  }

  /** A list of strings (absent = empty). */
  List<String> strings(String name) throws BadField {
    List<?> list = list(name);
    List<String> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String text)) {
        throw new BadField(pathOf(name) + "[" + i + "]", list.get(i), "must be a string");
      }
      out.add(text);
    }
    return out;
  }

  /** A map of strings to strings (absent = empty), in the source's iteration order. */
  Map<String, String> stringMap(String name) throws BadField {
    Object value = fields.get(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new BadField(pathOf(name), value, "must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String entryPath = pathOf(name) + "[\"" + entry.getKey() + "\"]";
      if (!(entry.getKey() instanceof String key) || !(entry.getValue() instanceof String text)) {
        throw new BadField(entryPath, entry.getValue(), "must be a string");
      }
      out.put(key, text);
    }
    return out;
  }

  /** An integral number, or empty when absent. */
  OptionalLong integer(String name) throws BadField {
    Object value = fields.get(name);
    if (value == null) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(toLong(pathOf(name), value));
  }

  /** An integral number within {@code min..max}, or {@code absent} when the field is not there. */
  long integer(String name, long min, long max, long absent) throws BadField {
    OptionalLong value = integer(name);
    if (value.isEmpty()) {
      return absent;
    }
    if (value.getAsLong() < min || value.getAsLong() > max) {
      throw new BadField(pathOf(name), value.getAsLong(), "must be between " + min + " and " + max);
    }
    return value.getAsLong();
  }

  /**
   * A typed string map of a fabric8 model object ({@code metadata.labels}, a selector), or empty
   * when {@code null}. A null key or value, possible only in a hand-built object, is refused:
   * the Go-ordered copies of the api records would throw on it.
   */
  static Map<String, String> checkedStringMap(String field, Map<String, String> map) throws BadField {
    if (map == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> entry : map.entrySet()) {
      if (entry.getKey() == null || entry.getValue() == null) {
        throw new BadField(field + "[\"" + entry.getKey() + "\"]", null, "must be a string");
      }
    }
    return map;
  }

  private List<?> list(String name) throws BadField {
    Object value = fields.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new BadField(pathOf(name), value, "must be a list");
    }
    return list;
  }

  private static long toLong(String path, Object value) throws BadField {
    try {
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return ((Number) value).longValue();
      }
      if (value instanceof BigInteger big) {
        return big.longValueExact();
      }
      if (value instanceof BigDecimal decimal) {
        return decimal.longValueExact();
      }
      if (value instanceof Double || value instanceof Float) {
        return new BigDecimal(value.toString()).longValueExact();
      }
    } catch (ArithmeticException notIntegral) {
      throw new BadField(path, value, "must be an integer");
    }
    throw new BadField(path, value, "must be an integer");
  }

  /**
   * A field of the wrong type or out of range; converters turn it into a refusal. Checked, so
   * no converter forgets to; without a stack trace, because it is an answer, not a bug.
   */
  static final class BadField extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Finding finding;

    BadField(String field, Object value, String rule) {
      this(new Finding(field, value == null ? null : String.valueOf(value), rule));
    }

    BadField(Finding finding) {
      super(finding.message(), null, false, false);
      this.finding = finding;
    }

    Finding finding() {
      return finding;
    }
  }
}
