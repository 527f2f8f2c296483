package io.meshfed.simcluster.store;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.Key;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's keys by object name, so that a request for one object finds it among a few
 * candidates instead of matching every object the store holds.
 *
 * <p>Why: the fabric8 store is a flat map from attribute sets to JSON, and it answers a GET, PATCH,
 * PUT or create of one object by matching every entry. With 42,000 objects in a simulated cluster
 * that scan was most of the cost of each request, on the one event loop that serves them all.
 *
 * <p>An attribute set does not expose its values, so the name is read from its field by
 * reflection. If a fabric8 upgrade renames that field, the index reports itself unavailable and
 * the store falls back to fabric8's scans: slower, never wrong.
 */
final class NameIndex {

  private static final Key NAME = new Key("name");
  private static final Field ATTRIBUTES = attributesField();

  private final Map<String, Set<AttributeSet>> byName = new ConcurrentHashMap<>();

  static boolean available() {
    return ATTRIBUTES != null;
  }

  /** The set's {@code name} attribute (one value), or null when it has none or several. */
  static String nameOf(AttributeSet set) {
    if (set == null || ATTRIBUTES == null) {
      return null;
    }
    try {
      Object attributes = ATTRIBUTES.get(set);
      if (!(attributes instanceof Map<?, ?> byKey) || !(byKey.get(NAME) instanceof Attribute name)) {
        return null;
      }
      List<?> values = name.getValues();
      return values.size() == 1 ? String.valueOf(values.get(0)) : null;
    } catch (IllegalAccessException unexpected) {
      return null;
    }
  }

  void add(AttributeSet key) {
    String name = nameOf(key);
    if (name != null) {
      byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
    }
  }

  void remove(AttributeSet key) {
    String name = nameOf(key);
    if (name != null) {
      byName.computeIfPresent(name, (n, keys) -> {
        keys.remove(key);
        return keys.isEmpty() ? null : keys;
      });
    }
  }

  void clear() {
    byName.clear();
  }

  /** The keys stored under this name (of any kind or namespace). */
  Set<AttributeSet> withName(String name) {
    Set<AttributeSet> keys = byName.get(name);
    return keys == null ? Set.of() : keys;
  }

  private static Field attributesField() {
    try {
      Field field = AttributeSet.class.getDeclaredField("attributes");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException unavailable) {
      return null;
    }
  }
}
