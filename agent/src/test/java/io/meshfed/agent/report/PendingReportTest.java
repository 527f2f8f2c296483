package io.meshfed.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.health.v1.HealthReport;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PendingReportTest {

  private static HealthReport report(int n) {
    return HealthReport.newBuilder().setAgentVersion("v" + n).build();
  }

  @Test
  @DisplayName("one slot: the newest report replaces an unsent one; take empties the slot")
  void newestWins() {
    PendingReport slot = new PendingReport();
    assertThat(slot.take()).isNull();
    assertThat(slot.offer(report(1))).isFalse();
    assertThat(slot.offer(report(2))).isTrue();
    assertThat(slot.offer(report(3))).isTrue();
    assertThat(slot.replaced()).isEqualTo(2);
    assertThat(slot.take()).isEqualTo(report(3));
    assertThat(slot.isEmpty()).isTrue();
    assertThat(slot.take()).isNull();
  }

  @Test
  @DisplayName("offerIfEmpty (re-sending the latest after a reconnect) never overwrites a newer report")
  void offerIfEmpty() {
    PendingReport slot = new PendingReport();
    slot.offerIfEmpty(report(1));
    assertThat(slot.take()).isEqualTo(report(1));
    slot.offer(report(5));
    slot.offerIfEmpty(report(4));
    assertThat(slot.take()).isEqualTo(report(5));
  }

  @Test
  @DisplayName("a producer offering 100,000 reports while nothing is taken leaves exactly one: memory stays bounded")
  void boundedUnderOutage() throws Exception {
    PendingReport slot = new PendingReport();
    ExecutorService producers = Executors.newFixedThreadPool(2);
    CountDownLatch done = new CountDownLatch(2);
    for (int p = 0; p < 2; p++) {
      producers.execute(() -> {
        for (int i = 0; i < 50_000; i++) {
          slot.offer(report(i));
        }
        done.countDown();
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    producers.shutdown();
    assertThat(slot.replaced()).isEqualTo(99_999);
    assertThat(slot.take()).isNotNull();
    assertThat(slot.take()).isNull();
  }

  @Test
  @DisplayName("a consumer racing producers takes each report at most once and loses none that was last")
  void concurrentTake() throws Exception {
    PendingReport slot = new PendingReport();
    AtomicLong taken = new AtomicLong();
    Thread consumer = new Thread(() -> {
      for (int i = 0; i < 20_000; i++) {
        if (slot.take() != null) {
          taken.incrementAndGet();
        }
      }
    });
    consumer.start();
    for (int i = 0; i < 20_000; i++) {
      slot.offer(report(i));
    }
    consumer.join(30_000);
    long left = slot.take() == null ? 0 : 1;
    assertThat(taken.get() + slot.replaced() + left).isEqualTo(20_000);
  }
}
