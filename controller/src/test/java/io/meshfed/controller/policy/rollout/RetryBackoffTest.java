package io.meshfed.controller.policy.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Doubling backoff with equal jitter, capped. */
class RetryBackoffTest {
  final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  @Test
  @DisplayName("the delay doubles with each failure, between half and all of the base, up to the cap")
  void doublesWithJitterUpToTheCap() {
    assertThat(backoff.delay(1, () -> 0.0)).isEqualTo(Duration.ofMillis(250));
    assertThat(backoff.delay(1, () -> 0.999999)).isBetween(Duration.ofMillis(499), Duration.ofMillis(500));
    assertThat(backoff.delay(2, () -> 0.0)).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.delay(3, () -> 0.0)).isEqualTo(Duration.ofMillis(1000));
    assertThat(backoff.delay(7, () -> 0.0)).isEqualTo(Duration.ofSeconds(15));
    assertThat(backoff.delay(8, () -> 0.0)).isEqualTo(Duration.ofSeconds(15));
    assertThat(backoff.delay(8, () -> 0.999999)).isBetween(Duration.ofMillis(29_999), Duration.ofSeconds(30));
    assertThat(backoff.delay(1_000, () -> 0.5)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("zero or negative failure counts are treated as the first; the settings are checked")
  void edges() {
    assertThat(backoff.delay(0, () -> 0.0)).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
  }
}
