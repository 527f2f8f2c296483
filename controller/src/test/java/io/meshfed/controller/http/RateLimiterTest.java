package io.meshfed.controller.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.controller.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate limiter: a token bucket per client with a burst, a refill per minute and a bounded number of clients")
class RateLimiterTest {
  @Test
  @DisplayName("a burst goes through, the next waits for the refill (Retry-After in whole seconds), other clients are not affected")
  void burstThenRefill() {
    ManualClock clock = new ManualClock();
    RateLimiter l = new RateLimiter("POST /api/v1/join", 10, 5, 100, clock);
    for (int i = 0; i < 5; i++) {
      assertThat(l.tryAcquire("10.0.0.1")).as("request %d of the burst", i).isZero();
    }
    // 10 a minute: one token every 6 s.
    assertThat(l.tryAcquire("10.0.0.1")).isEqualTo(6);
    assertThat(l.tryAcquire("10.0.0.2")).as("another IP has its own bucket").isZero();
    clock.advance(Duration.ofSeconds(4));
    assertThat(l.tryAcquire("10.0.0.1")).isEqualTo(2);
    clock.advance(Duration.ofSeconds(2));
    assertThat(l.tryAcquire("10.0.0.1")).isZero();
    assertThat(l.tryAcquire("10.0.0.1")).isEqualTo(6);
    // A long pause refills up to the burst, never more.
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 5; i++) {
      assertThat(l.tryAcquire("10.0.0.1")).isZero();
    }
    assertThat(l.tryAcquire("10.0.0.1")).isPositive();
  }

  @Test
  @DisplayName("over the limit is a 429 TooManyRequests on field rate naming the limit, the route and the wait")
  void limitedIsA429() {
    ManualClock clock = new ManualClock();
    RateLimiter l = new RateLimiter("POST /api/v1/tokens", 30, 1, 10, clock);
    l.acquire("admin");
    assertThatThrownBy(() -> l.acquire("admin")).isInstanceOfSatisfying(RateLimiter.Limited.class, e -> {
      assertThat(e.status()).isEqualTo(429);
      assertThat(e.code()).isEqualTo("TooManyRequests");
      assertThat(e.field()).isEqualTo("rate");
      assertThat(e.retryAfterSeconds()).isEqualTo(2);
      assertThat(e.getMessage()).isEqualTo("too many requests: limit 30 per minute for POST /api/v1/tokens; retry after 2 s");
    });
  }

  @Test
  @DisplayName("at most maxKeys buckets: the least recently used client is forgotten (and starts again with a full bucket)")
  void evictsLeastRecentlyUsed() {
    ManualClock clock = new ManualClock();
    RateLimiter l = new RateLimiter("POST /api/v1/join", 10, 1, 3, clock);
    assertThat(l.tryAcquire("a")).isZero();
    assertThat(l.tryAcquire("b")).isZero();
    assertThat(l.tryAcquire("c")).isZero();
    assertThat(l.tryAcquire("a")).as("a is now the most recently used").isPositive();
    assertThat(l.tryAcquire("d")).isZero();
    assertThat(l.size()).isEqualTo(3);
    assertThat(l.tryAcquire("a")).as("a kept its empty bucket").isPositive();
    assertThat(l.tryAcquire("b")).as("b, the least recently used, was forgotten").isZero();
    for (int i = 0; i < 10_000; i++) {
      l.tryAcquire("ip-" + i);
    }
    assertThat(l.size()).isEqualTo(3);
  }

  @Test
  @DisplayName("0 per minute turns the limiter off; the default burst is half a minute's worth")
  void offAndDefaults() {
    ManualClock clock = new ManualClock();
    RateLimiter off = RateLimiter.perMinute("POST /api/v1/join", 0, clock);
    for (int i = 0; i < 1000; i++) {
      assertThat(off.tryAcquire("x")).isZero();
    }
    assertThat(off.size()).isZero();
    RateLimiter ten = RateLimiter.perMinute("POST /api/v1/join", 10, clock);
    for (int i = 0; i < 5; i++) {
      assertThat(ten.tryAcquire("x")).isZero();
    }
    assertThat(ten.tryAcquire("x")).isPositive();
  }
}
