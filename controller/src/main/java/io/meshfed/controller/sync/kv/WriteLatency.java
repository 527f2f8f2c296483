package io.meshfed.controller.sync.kv;

import java.util.Arrays;

/**
 * How long writes waited from submission to their committed transaction, over the most recent
 * {@value #SAMPLES} writes (a ring: memory stays fixed however long the writer runs). This is the
 * controller's own share of the propagation from a member change to etcd.
 */
final class WriteLatency {
  static final int SAMPLES = 8192;

  private final long[] micros = new long[SAMPLES];
  private long count;

  synchronized void record(long nanos) {
    micros[(int) (count % SAMPLES)] = Math.max(0, nanos / 1000);
    count++;
  }

  /** The {@code p}-th percentile in milliseconds of the recent writes, or 0 before any. */
  synchronized double percentileMillis(double p) {
    int n = (int) Math.min(count, SAMPLES);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(micros, n);
    Arrays.sort(sorted);
    int index = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
    return sorted[index] / 1000.0;
  }
}
