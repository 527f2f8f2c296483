package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reconnect jitter: each member client gets its own retry schedule, so members that return together do not relist together")
class ReconnectJitterTest {

  @Test
  void spreadStaysWithinHalfToOneAndAHalfTimesTheBase() {
    assertThat(ReconnectJitter.spread(1000, () -> 0.0)).isEqualTo(500);
    assertThat(ReconnectJitter.spread(1000, () -> 0.5)).isEqualTo(1000);
    assertThat(ReconnectJitter.spread(1000, () -> Math.nextDown(1.0))).isEqualTo(1499);
    assertThatThrownBy(() -> ReconnectJitter.spread(0, () -> 0.5)).hasMessageContaining("baseMillis must be positive");
    assertThatThrownBy(() -> ReconnectJitter.spread(1000, () -> 1.0)).hasMessageContaining("random must be in [0, 1)");
  }

  @Test
  void everyClientGetsItsOwnScheduleSoMembersThatReturnTogetherDoNotRelistTogether() {
    Random seeded = new Random(42);
    Set<Integer> watchBases = watchBasesOf100Clients(seeded::nextDouble);
    // 100 members down together: their fifth retry (base x 32) is spread over most of 16-48 s,
    // not one instant as with fabric8's fixed 1 s base.
    assertThat(watchBases).hasSizeGreaterThan(90);
    int earliest = watchBases.stream().mapToInt(b -> b * 32).min().orElseThrow();
    int latest = watchBases.stream().mapToInt(b -> b * 32).max().orElseThrow();
    assertThat(latest - earliest).isGreaterThan(25_000);
    // No second of that window gets more than a small share of the relists.
    assertThat(busiestSecondOfFifthRetries(watchBases)).isLessThanOrEqualTo(10);
  }

  @Test
  void clientsBuiltTogetherGetDistinctSchedulesSpreadEvenly() {
    Set<Integer> watchBases = watchBasesOf100Clients(new EvenSpread(0.37));
    // Not one pair shares a schedule (independent draws: a shared one in 99 % of such fleets) ...
    assertThat(watchBases).hasSize(100);
    // ... and their fifth retries fill 16-48 s evenly: at most 4 in a second, against 10 above.
    assertThat(busiestSecondOfFifthRetries(watchBases)).isLessThanOrEqualTo(4);
  }

  /** The distinct watch reconnect bases of 100 clients configured one after another from {@code draws}. */
  @SuppressWarnings("deprecation") // Config's setters are the only way to reach these fabric8 settings
  private static Set<Integer> watchBasesOf100Clients(DoubleSupplier draws) {
    Set<Integer> watchBases = new TreeSet<>();
    for (int i = 0; i < 100; i++) {
      Config c = MemberConnection.configure(Config.empty(), ConnectionSettings.DEFAULT, draws);
      assertThat(c.getWatchReconnectInterval()).isBetween(500, 1499);
      assertThat(c.getRequestRetryBackoffInterval()).isBetween(50, 149);
      assertThat(c.getConnectionTimeout()).isEqualTo(5000);
      assertThat(c.getRequestRetryBackoffLimit()).isEqualTo(1);
      watchBases.add(c.getWatchReconnectInterval());
    }
    return watchBases;
  }

  /** The most fifth retries (base x 32) that fall in one second of 16-48 s. */
  private static long busiestSecondOfFifthRetries(Set<Integer> watchBases) {
    return IntStream.range(16, 48)
        .mapToLong(s -> watchBases.stream().filter(b -> b * 32 / 1000 == s).count()).max().orElseThrow();
  }
}
