package io.meshfed.controller.store;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values under {@code meshfed/} that are not what this version writes there (another tool, a newer
 * version, a hand edit): when a listing meets one it skips it, logs the key and why, and counts it
 * ({@code meshfed_foreign_values_skipped_total} on /metrics), so one bad value never fails a whole
 * list, a health answer or a sync session. Reads of a single named key still fail with the key named.
 */
public final class ForeignValues {
  private static final Logger LOG = LoggerFactory.getLogger(ForeignValues.class);
  private static final AtomicLong SKIPPED = new AtomicLong();

  private ForeignValues() {}

  /** Values skipped since this process started. */
  public static long skipped() {
    return SKIPPED.get();
  }

  /**
   * The record at {@code key}, or empty when the value is not a {@code type} or belongs at another
   * key ({@code keyOf} gives the key the record says it lives at; null to skip that check).
   */
  public static <T> Optional<T> read(String key, byte[] value, Class<T> type, Function<T, String> keyOf) {
    T record;
    try {
      record = Records.fromJson(key, value, type);
    } catch (RuntimeException e) {
      return skip(key, e.getMessage());
    }
    if (keyOf != null) {
      String own = keyOf.apply(record);
      if (!key.equals(own)) {
        return skip(key, "the record names " + own + ", not this key");
      }
    }
    return Optional.of(record);
  }

  /** Counts and logs one skipped value; always empty. */
  public static <T> Optional<T> skip(String key, String reason) {
    SKIPPED.incrementAndGet();
    LOG.warn("op=store.read key={} skipped=true reason=\"{}\"", key, reason);
    return Optional.empty();
  }
}
