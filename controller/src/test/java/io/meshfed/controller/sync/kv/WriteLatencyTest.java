package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WriteLatency: percentiles of the most recent writes, in fixed memory")
class WriteLatencyTest {

  @Test
  @DisplayName("percentiles of 1..100 ms; zero before any write; only the newest samples count once the ring is full")
  void percentiles() {
    WriteLatency l = new WriteLatency();
    assertThat(l.percentileMillis(99)).isZero();
    for (int ms = 1; ms <= 100; ms++) {
      l.record(ms * 1_000_000L);
    }
    assertThat(l.percentileMillis(50)).isEqualTo(50.0);
    assertThat(l.percentileMillis(99)).isEqualTo(99.0);
    assertThat(l.percentileMillis(100)).isEqualTo(100.0);
    for (int i = 0; i < WriteLatency.SAMPLES; i++) {
      l.record(2_000_000L);
    }
    assertThat(l.percentileMillis(99)).isEqualTo(2.0);
  }
}
