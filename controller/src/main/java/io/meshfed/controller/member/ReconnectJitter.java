package io.meshfed.controller.member;

import java.util.function.DoubleSupplier;

/**
 * Per-client spread of fabric8's retry intervals.
 *
 * <p>fabric8's backoff is deterministic: an informer whose watch broke waits
 * {@code watchReconnectInterval × 2^n} (n capped at 5) before it lists again, with no jitter. Members
 * that went away together (a network partition, an API server upgrade across a fleet, the
 * controller's own restart) would therefore come back in lockstep: every session lists every kind
 * of every member in the same second. Giving each client its own base interval, between half and
 * one and a half times the default, makes their schedules drift apart by up to a whole interval at
 * every step (16-48 s apart at the cap), which is the spread that jitter on each attempt would give
 * a fleet, without replacing fabric8's reflector. The draws come from {@link EvenSpread}, so
 * clients built together get base intervals far apart rather than merely random ones.
 */
public final class ReconnectJitter {
  /** fabric8's default {@code watchReconnectInterval}. */
  public static final int WATCH_RECONNECT_MILLIS = 1000;
  /** fabric8's default {@code requestRetryBackoffInterval}. */
  public static final int REQUEST_RETRY_MILLIS = 100;

  private ReconnectJitter() {}

  /**
   * @param baseMillis the interval to spread
   * @param random a uniform source in [0, 1)
   * @return a value in [baseMillis / 2, baseMillis × 3 / 2)
   */
  public static int spread(int baseMillis, DoubleSupplier random) {
    if (baseMillis <= 0) {
      throw new IllegalArgumentException("baseMillis must be positive, not " + baseMillis);
    }
    double r = random.getAsDouble();
    if (r < 0 || r >= 1) {
      throw new IllegalArgumentException("random must be in [0, 1), not " + r);
    }
    // Half the base plus a uniform share of it, added in integers so the top stays exclusive.
    return baseMillis / 2 + (int) Math.floor(baseMillis * r);
  }
}
