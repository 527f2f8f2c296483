package io.meshfed.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

  /** A Random whose nextDouble() is always {@code value}. */
  private static Random fixed(double value) {
    return new Random() {
      private static final long serialVersionUID = 1L;

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @Test
  @DisplayName("the window doubles from 0.5 s up to the 30 s cap; the delay is the jitter fraction of the window")
  void exponentialWindowWithCap() {
    Backoff almostFull = new Backoff(Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, fixed(0.999_999));
    long[] expected = {499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999};
    for (long millis : expected) {
      assertThat(almostFull.next()).isEqualTo(Duration.ofMillis(millis));
    }
    Backoff half = new Backoff(Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, fixed(0.5));
    assertThat(half.next()).isEqualTo(Duration.ofMillis(250));
    assertThat(half.next()).isEqualTo(Duration.ofMillis(500));
    assertThat(half.next()).isEqualTo(Duration.ofMillis(1000));
  }

  @Test
  @DisplayName("full jitter: a zero draw gives no delay at all, and delays never reach the window's top")
  void fullJitterBounds() {
    assertThat(new Backoff(Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, fixed(0)).next()).isZero();
    Backoff seeded = new Backoff(Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, new Random(42));
    for (int i = 0; i < 1000; i++) {
      long ceiling = seeded.ceiling();
      assertThat(seeded.next().toMillis()).isBetween(0L, ceiling - 1);
    }
    assertThat(seeded.ceiling()).isEqualTo(30_000);
  }

  @Test
  @DisplayName("reset (an Ack from the controller) starts again from the initial window; attempts counts since then")
  void reset() {
    Backoff b = new Backoff(Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, fixed(0.5));
    b.next();
    b.next();
    b.next();
    assertThat(b.attempts()).isEqualTo(3);
    assertThat(b.ceiling()).isEqualTo(4000);
    b.reset();
    assertThat(b.attempts()).isZero();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  @DisplayName("many attempts never overflow past the cap")
  void noOverflow() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofSeconds(30), fixed(0.5));
    for (int i = 0; i < 200; i++) {
      b.next();
    }
    assertThat(b.ceiling()).isEqualTo(30_000);
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  @DisplayName("a window that is not 0 < initial <= max is refused")
  void invalidWindow() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random())).isInstanceOf(IllegalArgumentException.class);
  }
}
