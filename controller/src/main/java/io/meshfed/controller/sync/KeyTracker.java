package io.meshfed.controller.sync;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which etcd keys each member object produced, so an update that drops an address, or a delete,
 * removes exactly the keys that object had written, and the post-list sweep knows what to keep.
 * Not thread-safe: one per kind, used from that kind's informer thread.
 */
final class KeyTracker {
  private final Map<String, Set<String>> keysByObject = new HashMap<>();
  /** Kept as objects change, so size() is O(1): summing every set per event made the initial list O(n^2). */
  private int keyCount;
  private int objectCount;

  /** Records the keys {@code object} now has; returns the keys it had before and no longer has. */
  List<String> replace(String object, Set<String> keys) {
    Set<String> before = keysByObject.put(object, Set.copyOf(keys));
    keyCount += keys.size() - (before == null ? 0 : before.size());
    objectCount += (keys.isEmpty() ? 0 : 1) - (before == null || before.isEmpty() ? 0 : 1);
    if (before == null) {
      return List.of();
    }
    Set<String> gone = new HashSet<>(before);
    gone.removeAll(keys);
    return List.copyOf(gone);
  }

  /** Forgets {@code object}; returns the keys it had. */
  Set<String> remove(String object) {
    Set<String> before = keysByObject.remove(object);
    if (before == null) {
      return Set.of();
    }
    keyCount -= before.size();
    objectCount -= before.isEmpty() ? 0 : 1;
    return before;
  }

  Set<String> allKeys() {
    Set<String> all = new HashSet<>();
    keysByObject.values().forEach(all::addAll);
    return all;
  }

  /** Objects that wrote at least one key; kept as they change, O(1) like size(). */
  int objects() {
    return objectCount;
  }

  int size() {
    return keyCount;
  }
}
