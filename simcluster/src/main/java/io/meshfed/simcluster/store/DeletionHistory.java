package io.meshfed.simcluster.store;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last deletions of a store, so that a watch resuming from a resourceVersion learns of the
 * objects deleted since then, as it would from a kube-apiserver's watch cache. Bounded: when a
 * watch asks for a version older than the oldest deletion kept, it cannot be answered correctly
 * and gets 410 Gone instead.
 */
final class DeletionHistory {

  /** One deletion: the version it got, the object's attributes (for selectors) and its last JSON. */
  record Deletion(long version, AttributeSet attributes, String objectJson) {
  }

  private final int capacity;
  private final ArrayDeque<Deletion> deletions = new ArrayDeque<>();
  /** The version of the newest deletion already dropped; a resume from before it would miss it. */
  private long forgottenUpTo;

  DeletionHistory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  synchronized void record(Deletion deletion) {
    if (deletions.size() == capacity) {
      forgottenUpTo = deletions.removeFirst().version();
    }
    deletions.addLast(deletion);
  }

  /** Whether every deletion after {@code version} is still known. */
  synchronized boolean covers(long version) {
    return version >= forgottenUpTo;
  }

  /** The oldest version a watch can resume from. */
  synchronized long oldestResumable() {
    return forgottenUpTo;
  }

  /** The deletions after {@code version}, oldest first. */
  synchronized List<Deletion> after(long version) {
    List<Deletion> newer = new ArrayList<>();
    for (Deletion deletion : deletions) {
      if (deletion.version() > version) {
        newer.add(deletion);
      }
    }
    return newer;
  }
}
