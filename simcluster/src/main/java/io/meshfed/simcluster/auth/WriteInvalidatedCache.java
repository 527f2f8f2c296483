package io.meshfed.simcluster.auth;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A value computed from the store and kept until {@link #invalidate()} says the store changed.
 *
 * <p>Why it is correct without locks: a write invalidates after it reached the store, and a load
 * reads the generation before it reads the store. A load that overlaps a write is therefore
 * tagged with the old generation at worst, and the next call loads again.
 */
final class WriteInvalidatedCache<T> {

  private record Snapshot<T>(long generation, T value) {
  }

  private final Supplier<T> loader;
  private final AtomicLong generation = new AtomicLong();
  private volatile Snapshot<T> snapshot;

  WriteInvalidatedCache(Supplier<T> loader) {
    this.loader = loader;
  }

  T get() {
    long current = generation.get();
    Snapshot<T> cached = snapshot;
    if (cached != null && cached.generation() == current) {
      return cached.value();
    }
    T value = loader.get();
    snapshot = new Snapshot<>(current, value);
    return value;
  }

  void invalidate() {
    generation.incrementAndGet();
  }
}
