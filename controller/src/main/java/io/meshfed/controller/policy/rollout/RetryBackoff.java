package io.meshfed.controller.policy.rollout;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Doubling backoff with "equal jitter" (half the delay fixed, half random), capped: the delay
 * before attempt {@code n+1} after {@code n} failures. Jitter keeps the retries of many members or
 * policies from hitting a recovering API server in lock step. A pure function of the failure count.
 */
public record RetryBackoff(Duration initial, Duration max) {

  public RetryBackoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
    }
  }

  /**
   * @param failures failures so far (at least 1)
   * @param random   uniform in [0, 1)
   * @return between half of and the full capped delay {@code min(max, initial * 2^(failures-1))}
   */
  public Duration delay(int failures, DoubleSupplier random) {
    long initialMs = initial.toMillis();
    long maxMs = max.toMillis();
    int shift = Math.min(Math.max(failures, 1) - 1, 30);
    long base = initialMs > (maxMs >> shift) ? maxMs : Math.min(maxMs, initialMs << shift);
    long half = base / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (base - half)));
  }
}
