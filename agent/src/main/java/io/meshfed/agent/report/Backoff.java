package io.meshfed.agent.report;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the n-th delay (from 0) is uniform in
 * {@code [0, min(max, initial * 2^n))}. Full jitter spreads the reconnects of many agents after a
 * controller restart over the whole window instead of bunching them at its edges. Not thread-safe:
 * used on the report stream's context only.
 */
public final class Backoff {
  public static final Duration DEFAULT_INITIAL = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX = Duration.ofSeconds(30);

  private final long initialMillis;
  private final long maxMillis;
  private final Random random;
  private int attempt;

  public Backoff(Duration initial, Duration max, Random random) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = Objects.requireNonNull(random, "random");
    if (initialMillis < 1 || maxMillis < initialMillis) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
    }
  }

  /** The delay before the next attempt; each call widens the window until it reaches the cap. */
  public Duration next() {
    long window = ceiling();
    attempt++;
    return Duration.ofMillis((long) (random.nextDouble() * window));
  }

  /** The upper bound of the next delay. */
  public long ceiling() {
    int shift = Math.min(attempt, 40);
    long window = initialMillis << shift;
    return window <= 0 || window > maxMillis ? maxMillis : window;
  }

  /** Back to the initial window, after the controller accepted a report. */
  public void reset() {
    attempt = 0;
  }

  /** Delays handed out since the last reset. */
  public int attempts() {
    return attempt;
  }
}
