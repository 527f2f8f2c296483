package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.meshfed.controller.sync.kv.WriteQueue.Batch;
import io.meshfed.controller.sync.kv.WriteQueue.Pending;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue's side of several batches in flight: a key is never in two of them, and flushes wait for all. */
class WriteQueueInFlightTest {
  private final WriteQueue queue = new WriteQueue("q", 100, Runnable::run);

  private void put(String key, String value) throws InterruptedException {
    queue.submit(key, ByteSequence.from(value, StandardCharsets.UTF_8), Duration.ofSeconds(1), false);
  }

  private Batch take() throws InterruptedException {
    return queue.take(128, p -> false);
  }

  private static List<String> keys(Batch b) {
    return b.writes().stream().map(Pending::key).toList();
  }

  private static String value(Batch b, String key) {
    return b.writes().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow().value().toString(StandardCharsets.UTF_8);
  }

  @Test
  void aKeyInFlightIsHeldBackUntilItsBatchIsDoneThenGoesWithItsNewestValue() throws Exception {
    put("a", "1");
    put("b", "1");
    Batch first = take();
    put("a", "2");
    put("c", "1");
    put("a", "3");

    Batch second = take();
    assertThat(keys(first)).containsExactly("a", "b");
    assertThat(keys(second)).as("a is still in flight in the first batch").containsExactly("c");
    assertThat(queue.size()).isEqualTo(1);

    queue.batchDone(first);
    Batch third = take();
    assertThat(keys(third)).containsExactly("a");
    assertThat(value(third, "a")).isEqualTo("3");
    assertThat(queue.inFlight()).isEqualTo(2);
  }

  @Test
  void takeWaitsWhileEveryPendingKeyIsInFlight() throws Exception {
    put("a", "1");
    Batch first = take();
    put("a", "2");

    CompletableFuture<Batch> next = CompletableFuture.supplyAsync(() -> {
      try {
        return take();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !next.isDone());

    queue.batchDone(first);
    assertThat(keys(next.get(5, TimeUnit.SECONDS))).containsExactly("a");
  }

  @Test
  void aFlushCompletesOnlyWhenEveryBatchBeforeItIsDoneWhateverTheOrder() throws Exception {
    put("a", "1");
    Batch first = take();
    put("b", "1");
    Batch second = take();
    CompletableFuture<Void> flushed = queue.flush();
    put("c", "1"); // after the flush: not waited for

    queue.batchDone(second);
    assertThat(flushed).as("the older batch is still in flight").isNotDone();
    queue.batchDone(first);
    flushed.get(5, TimeUnit.SECONDS);
    assertThat(queue.awaitIdle(Duration.ZERO)).as("c is still pending").isFalse();
  }

  @Test
  void wakeEndsAWaitForAFinishedTransaction() throws Exception {
    CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
      try {
        queue.awaitWake();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    queue.wake();
    waiting.get(5, TimeUnit.SECONDS);

    queue.wake();
    assertThat(take()).as("a take woken with nothing to take returns at once").isSameAs(Batch.NONE);
  }
}
