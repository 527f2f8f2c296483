package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Batching, coalescing, skip-unchanged and flush of {@link CacheWriter}, counted on a real etcd. */
class CacheWriterBatchingTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private Client client;
  private EtcdProbe etcd;

  @BeforeEach
  void connect() {
    client = ETCD.jetcdClient();
    etcd = new EtcdProbe(client);
  }

  private CacheWriter writer(String cluster) {
    return CacheWriter.start(client, new ClusterName(cluster), CacheWriterSettings.defaults());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("1000 distinct puts commit as ceil(1000/128) = 8 transactions: 8 batches, 8 etcd revisions")
  void thousandPutsAreEightTransactions() throws Exception {
    ClusterName cluster = new ClusterName("batch");
    try (CacheWriter writer = writer(cluster.value())) {
      writer.pause(); // everything queued first, so the batch boundaries are deterministic
      for (int i = 0; i < 1000; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), utf8("{\"name\":\"node-" + i + "\"}"));
      }
      long before = etcd.revision();

      writer.resume();
      writer.flush().get(30, TimeUnit.SECONDS);

      assertThat(etcd.revision() - before).isEqualTo(8);
      assertThat(writer.stats().batches()).isEqualTo(8);
      assertThat(writer.stats().puts()).isEqualTo(1000);
      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).hasSize(1000)
          .containsEntry(CacheKeys.node(cluster, "node-999"), "{\"name\":\"node-999\"}");
    }
  }

  @Test
  @DisplayName("under concurrent load no etcd revision carries more than 128 changes")
  void concurrentPutsNeverExceed128PerRevision() throws Exception {
    ClusterName cluster = new ClusterName("load");
    try (CacheWriter writer = writer(cluster.value());
        EtcdProbe.Recorder recorder = etcd.record(CacheType.NODES.prefix(cluster))) {
      List<CompletableFuture<Void>> producers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        producers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 500; i++) {
            writer.put(CacheKeys.node(cluster, "t" + thread + "-" + i), utf8("v" + i));
          }
        }));
      }
      CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      writer.flush().get(60, TimeUnit.SECONDS);

      await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events.size() == 4000);
      Map<Long, Long> changesPerRevision = recorder.events.stream()
          .collect(Collectors.groupingBy(EtcdProbe.Event::revision, TreeMap::new, Collectors.counting()));
      assertThat(changesPerRevision.values()).allMatch(n -> n <= 128);
      assertThat(changesPerRevision).hasSize((int) writer.stats().batches());
      assertThat(writer.stats().batches()).isGreaterThanOrEqualTo(32); // ceil(4000 / 128)
    }
  }

  @Test
  @DisplayName("10,000 updates of 10 keys while etcd is not being written: each key written once, with its last value")
  void repeatedUpdatesOfOneKeyCoalesce() throws Exception {
    ClusterName cluster = new ClusterName("coalesce");
    try (CacheWriter writer = writer(cluster.value())) {
      writer.pause();
      for (int i = 0; i < 10_000; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + (i % 10)), utf8("update-" + i));
      }
      long before = etcd.revision();

      writer.resume();
      writer.flush().get(30, TimeUnit.SECONDS);

      Map<String, String> stored = etcd.list(CacheType.NODES.prefix(cluster));
      for (int k = 0; k < 10; k++) {
        assertThat(stored).containsEntry(CacheKeys.node(cluster, "node-" + k), "update-" + (9_990 + k));
      }
      CacheWriterStats stats = writer.stats();
      assertThat(stats.putsSubmitted()).isEqualTo(10_000);
      assertThat(stats.coalesced()).isEqualTo(9_990);
      assertThat(stats.puts()).isEqualTo(10);
      assertThat(etcd.revision() - before).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("10 threads updating their key 1000 times each: final values exact, far fewer puts than updates")
  void concurrentUpdatesKeepTheLatestValue() throws Exception {
    ClusterName cluster = new ClusterName("hot");
    try (CacheWriter writer = writer(cluster.value())) {
      List<CompletableFuture<Void>> producers = new ArrayList<>();
      for (int k = 0; k < 10; k++) {
        String key = CacheKeys.node(cluster, "node-" + k);
        producers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 1000; i++) {
            writer.put(key, utf8("update-" + i));
          }
        }));
      }
      CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      writer.flush().get(30, TimeUnit.SECONDS);

      Map<String, String> stored = etcd.list(CacheType.NODES.prefix(cluster));
      assertThat(stored).hasSize(10).allSatisfy((key, value) -> assertThat(value).isEqualTo("update-999"));
      CacheWriterStats stats = writer.stats();
      // every accepted put was coalesced into a later one, skipped as unchanged, or written
      assertThat(stats.coalesced() + stats.skipped() + stats.puts()).isEqualTo(10_000);
      assertThat(stats.puts()).isLessThan(10_000);
    }
  }

  @Test
  @DisplayName("re-putting the bytes already written creates no etcd revision; a new value does")
  void unchangedValuesAreSkipped() throws Exception {
    ClusterName cluster = new ClusterName("skip");
    String key = CacheKeys.node(cluster, "node-a");
    try (CacheWriter writer = writer(cluster.value())) {
      writer.put(key, utf8("v1"));
      writer.flush().get(10, TimeUnit.SECONDS);
      long afterFirst = etcd.revision();

      writer.put(key, utf8("v1"));
      writer.flush().get(10, TimeUnit.SECONDS);

      assertThat(etcd.revision()).isEqualTo(afterFirst);
      assertThat(writer.stats().skipped()).isEqualTo(1);
      assertThat(writer.stats().puts()).isEqualTo(1);

      writer.put(key, utf8("v2"));
      writer.flush().get(10, TimeUnit.SECONDS);

      assertThat(etcd.revision()).isEqualTo(afterFirst + 1);
      assertThat(etcd.value(key)).contains("v2");
    }
  }

  @Test
  @DisplayName("deletes are plain deletes; a put followed by a delete of the same key leaves nothing")
  void deletes() throws Exception {
    ClusterName cluster = new ClusterName("del");
    String kept = CacheKeys.node(cluster, "kept");
    String gone = CacheKeys.node(cluster, "gone");
    String neverWritten = CacheKeys.node(cluster, "never");
    try (CacheWriter writer = writer(cluster.value())) {
      writer.put(kept, utf8("k"));
      writer.put(gone, utf8("g"));
      writer.flush().get(10, TimeUnit.SECONDS);

      writer.pause(); // so the put and the delete of neverWritten meet in the queue
      writer.delete(gone);
      writer.put(neverWritten, utf8("n"));
      writer.delete(neverWritten);
      writer.resume();
      writer.flush().get(10, TimeUnit.SECONDS);

      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).containsOnlyKeys(kept);
      assertThat(writer.stats().deletes()).isEqualTo(2);
      assertThat(writer.stats().coalesced()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("flush completes only once what was submitted before it is in etcd; awaitIdle likewise")
  void flushWaitsForTheWrites() throws Exception {
    ClusterName cluster = new ClusterName("flush");
    String key = CacheKeys.node(cluster, "node-a");
    try (CacheWriter writer = writer(cluster.value())) {
      writer.pause();
      writer.put(key, utf8("v"));
      CompletableFuture<Void> flushed = writer.flush();

      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !flushed.isDone());
      assertThat(writer.awaitIdle(Duration.ofMillis(50))).isFalse();
      assertThat(etcd.get(key)).isEmpty();

      writer.resume();
      flushed.get(10, TimeUnit.SECONDS);

      assertThat(etcd.value(key)).contains("v");
      assertThat(writer.awaitIdle(Duration.ofSeconds(5))).isTrue();
      assertThat(writer.flush()).isCompleted(); // nothing outstanding: done at once
    }
  }

  @Test
  @DisplayName("closing the writer fails a pending flush and refuses further puts")
  void closeFailsPendingFlushes() {
    ClusterName cluster = new ClusterName("closing");
    CacheWriter writer = writer(cluster.value());
    writer.pause();
    writer.put(CacheKeys.node(cluster, "node-a"), utf8("v"));
    CompletableFuture<Void> flushed = writer.flush();

    writer.close();

    await().atMost(Duration.ofSeconds(5)).until(flushed::isDone);
    assertThat(flushed).isCompletedExceptionally();
    assertThatThrownBy(() -> writer.put(CacheKeys.node(cluster, "node-b"), utf8("v")))
        .isInstanceOf(CacheWriteException.class).hasMessageContaining("closed");
  }
}
