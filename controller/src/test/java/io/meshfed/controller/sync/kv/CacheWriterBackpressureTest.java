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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bounded queue: a full queue blocks puts of new keys, then fails them; nothing accepted is lost. */
class CacheWriterBackpressureTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private static final Duration PUT_TIMEOUT = Duration.ofMillis(300);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static CacheWriter tinyWriter(Client client, ClusterName cluster) {
    return CacheWriter.start(client, cluster,
        CacheWriterSettings.defaults().withCapacity(4).withPutTimeout(PUT_TIMEOUT));
  }

  @Test
  @DisplayName("a full queue makes put block, then fail with a clear timeout error; the accepted writes all land")
  void fullQueueBlocksThenFails() throws Exception {
    Client client = ETCD.jetcdClient();
    EtcdProbe etcd = new EtcdProbe(client);
    ClusterName cluster = new ClusterName("bp");
    try (CacheWriter writer = tinyWriter(client, cluster)) {
      writer.pause();
      for (int i = 0; i < 4; i++) {
        writer.put(CacheKeys.node(cluster, "n" + i), utf8("v" + i));
      }

      long start = System.nanoTime();
      assertThatThrownBy(() -> writer.put(CacheKeys.node(cluster, "n4"), utf8("v4")))
          .isInstanceOf(WriteQueueFullException.class)
          .hasMessageContaining("cluster=bp")
          .hasMessageContaining("stayed full (4 keys waiting) for 300 ms")
          .hasMessageContaining(CacheKeys.node(cluster, "n4") + " was not accepted");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(PUT_TIMEOUT);

      // an update of a key that is already waiting takes no room: it never blocks
      writer.put(CacheKeys.node(cluster, "n0"), utf8("v0-newer"), Duration.ZERO);
      assertThat(writer.stats().pending()).isEqualTo(4);

      writer.resume();
      writer.flush().get(10, TimeUnit.SECONDS);

      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).containsOnly(
          Map.entry(CacheKeys.node(cluster, "n0"), "v0-newer"),
          Map.entry(CacheKeys.node(cluster, "n1"), "v1"),
          Map.entry(CacheKeys.node(cluster, "n2"), "v2"),
          Map.entry(CacheKeys.node(cluster, "n3"), "v3"));
    }
  }

  @Test
  @DisplayName("a blocked put continues as soon as the writer makes room, and its value reaches etcd")
  void blockedPutResumesWhenTheWriterDrains() throws Exception {
    Client client = ETCD.jetcdClient();
    EtcdProbe etcd = new EtcdProbe(client);
    ClusterName cluster = new ClusterName("bp-resume");
    try (CacheWriter writer = tinyWriter(client, cluster)) {
      writer.pause();
      for (int i = 0; i < 4; i++) {
        writer.put(CacheKeys.node(cluster, "n" + i), utf8("v" + i));
      }
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      Thread producer = new Thread(() -> {
        try {
          writer.put(CacheKeys.node(cluster, "n4"), utf8("v4"), Duration.ofSeconds(30));
          done.complete(null);
        } catch (RuntimeException e) {
          failure.set(e);
          done.completeExceptionally(e);
        }
      }, "blocked-producer");
      producer.start();

      await().atMost(Duration.ofSeconds(5)).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
      assertThat(done).isNotDone();

      writer.resume();

      done.get(10, TimeUnit.SECONDS);
      writer.flush().get(10, TimeUnit.SECONDS);
      assertThat(failure.get()).isNull();
      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).hasSize(5)
          .containsEntry(CacheKeys.node(cluster, "n4"), "v4");
      assertThat(writer.stats().putsSubmitted()).isEqualTo(5);
      assertThat(writer.stats().puts()).isEqualTo(5);
    }
  }

  @Test
  @DisplayName("many producers against a tiny queue: everything arrives, the queue never holds more than its capacity")
  void tinyQueueUnderLoadLosesNothing() throws Exception {
    Client client = ETCD.jetcdClient();
    EtcdProbe etcd = new EtcdProbe(client);
    ClusterName cluster = new ClusterName("bp-load");
    try (CacheWriter writer = CacheWriter.start(client, cluster,
        CacheWriterSettings.defaults().withCapacity(16).withPutTimeout(Duration.ofSeconds(30)))) {
      AtomicInteger maxPending = new AtomicInteger();
      CompletableFuture<?>[] producers = new CompletableFuture<?>[4];
      for (int t = 0; t < producers.length; t++) {
        int thread = t;
        producers[t] = CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 300; i++) {
            writer.put(CacheKeys.node(cluster, "t" + thread + "-" + i), utf8("v" + i));
            maxPending.accumulateAndGet(writer.stats().pending(), Math::max);
          }
        });
      }
      CompletableFuture.allOf(producers).get(60, TimeUnit.SECONDS);
      writer.flush().get(30, TimeUnit.SECONDS);

      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).hasSize(1200);
      assertThat(maxPending.get()).isLessThanOrEqualTo(16);
    }
  }
}
