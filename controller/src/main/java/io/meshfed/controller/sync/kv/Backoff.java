package io.meshfed.controller.sync.kv;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Doubling back-off with "equal jitter" (half fixed, half random), capped. The jitter keeps the
 * writers of many members from retrying against a recovering etcd in lock step. Not thread-safe:
 * each retry loop owns one.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private long nextMillis;

  Backoff(Duration initial, Duration max) {
    this.initialMillis = Math.max(1, initial.toMillis());
    this.maxMillis = Math.max(initialMillis, max.toMillis());
    this.nextMillis = initialMillis;
  }

  /** The delay before the next attempt; each call doubles the base up to the cap. */
  Duration next() {
    long base = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    long half = base / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
  }

  /** Back to the initial delay after a success. */
  void reset() {
    nextMillis = initialMillis;
  }
}
