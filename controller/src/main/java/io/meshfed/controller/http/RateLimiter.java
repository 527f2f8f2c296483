package io.meshfed.controller.http;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per client key (remote IP or certificate identity): {@code burst} requests at
 * once, then {@code perMinute} a minute. At most {@code maxKeys} buckets are kept; beyond that the
 * least recently used one is forgotten (a forgotten client starts again with a full bucket, which
 * only ever errs on the side of letting a request through). Thread-safe; never blocks on I/O.
 */
public final class RateLimiter {
  /** Buckets kept at most; the least recently used goes first. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  private final String route;
  private final int perMinute;
  private final int burst;
  private final Clock clock;
  private final Map<String, Bucket> buckets;

  /** One token is {@link #TOKEN} credits; a bucket earns {@code perMinute} credits a nanosecond (exact integer arithmetic). */
  private static final long TOKEN = 60_000_000_000L;

  private static final class Bucket {
    long credits;
    long lastNanos;

    Bucket(long credits, long lastNanos) {
      this.credits = credits;
      this.lastNanos = lastNanos;
    }
  }

  /**
   * @param route what the limit is for, as error messages name it (e.g. "POST /api/v1/join")
   * @param perMinute refill rate; 0 turns the limiter off
   * @param burst bucket size (at least 1)
   */
  public RateLimiter(String route, int perMinute, int burst, int maxKeys, Clock clock) {
    if (perMinute < 0 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("perMinute must be >= 0, burst and maxKeys >= 1");
    }
    this.route = route;
    this.perMinute = perMinute;
    this.burst = burst;
    this.clock = clock;
    this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** A limiter of {@code perMinute} with a burst of half a minute's worth (at least 1). */
  public static RateLimiter perMinute(String route, int perMinute, Clock clock) {
    return new RateLimiter(route, perMinute, Math.max(1, perMinute / 2), DEFAULT_MAX_KEYS, clock);
  }

  /** Takes one request of {@code key}; throws {@link Limited} (a 429) when its bucket is empty. */
  public void acquire(String key) {
    long wait = tryAcquire(key);
    if (wait > 0) {
      throw new Limited(wait, "too many requests: limit " + perMinute + " per minute for " + route + "; retry after " + wait + " s");
    }
  }

  /** 0 when the request may go ahead (and is counted), else the whole seconds until it may. */
  public synchronized long tryAcquire(String key) {
    if (perMinute == 0) {
      return 0;
    }
    long now = nanos();
    long full = burst * TOKEN;
    Bucket b = buckets.get(key);
    if (b == null) {
      b = new Bucket(full, now);
      buckets.put(key, b);
    }
    long elapsed = Math.min(Math.max(0, now - b.lastNanos), full / perMinute + 1);
    b.credits = Math.min(full, b.credits + elapsed * perMinute);
    b.lastNanos = now;
    if (b.credits >= TOKEN) {
      b.credits -= TOKEN;
      return 0;
    }
    long waitNanos = (TOKEN - b.credits + perMinute - 1) / perMinute;
    return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Buckets held now (for tests). */
  public synchronized int size() {
    return buckets.size();
  }

  private long nanos() {
    java.time.Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** Over the limit: HTTP 429 with Retry-After. */
  public static final class Limited extends ApiException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    Limited(long retryAfterSeconds, String message) {
      super(429, "TooManyRequests", "rate", message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
