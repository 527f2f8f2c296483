package io.meshfed.controller.sync.kv;

import static io.meshfed.controller.sync.kv.CacheWriterBatchingTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.testing.FaultyLink;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several transactions of one writer on the wire at once, on a real etcd behind a link that can hold them. */
class CacheWriterPipelineTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private FaultyLink link;
  private Client viaLink;
  private EtcdProbe etcd;

  @BeforeEach
  void connect() throws Exception {
    link = FaultyLink.to(URI.create(ETCD.endpoints().get(0)).getPort());
    viaLink = Client.builder().endpoints("http://127.0.0.1:" + link.port()).build();
    etcd = new EtcdProbe(ETCD.jetcdClient());
  }

  @AfterEach
  void close() {
    link.pass();
    viaLink.close();
    link.close();
  }

  @Test
  @DisplayName("while etcd answers nothing, the writer has exactly maxInFlight transactions out; the rest waits and lands once answers flow")
  void sendsUpToMaxInFlightWithoutWaitingForAnswers() throws Exception {
    ClusterName cluster = new ClusterName("pipe");
    CacheWriterSettings settings = CacheWriterSettings.defaults().withMaxInFlight(3).withRequestTimeout(Duration.ofSeconds(60));
    try (CacheWriter writer = CacheWriter.start(viaLink, cluster, settings)) {
      // A first key through a passing link: the lease is granted before the stall.
      writer.put(CacheKeys.node(cluster, "first"), utf8("v"));
      writer.flush().get(30, TimeUnit.SECONDS);

      link.stall();
      writer.pause(); // everything queued first, so each transaction is a full 128
      for (int i = 0; i < 1000; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + i), utf8("{\"name\":\"node-" + i + "\"}"));
      }
      CompletableFuture<Void> flushed = writer.flush();
      writer.resume();

      await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().peakInFlight() == 3);
      assertThat(flushed).isNotDone();
      assertThat(writer.stats().pending()).as("what did not fit in three transactions waits in the queue").isEqualTo(1000 - 3 * 128);
      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).containsOnlyKeys(CacheKeys.node(cluster, "first"));

      link.pass();
      flushed.get(60, TimeUnit.SECONDS);
      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).hasSize(1001)
          .containsEntry(CacheKeys.node(cluster, "node-999"), "{\"name\":\"node-999\"}");
      assertThat(writer.stats().peakInFlight()).isEqualTo(3);
      assertThat(writer.stats().retries()).isZero();
    }
  }

  @Test
  @DisplayName("hot keys updated while their earlier writes are in flight end with their last value, in every run of the pipeline")
  void hotKeysKeepSubmissionOrderAcrossTransactions() throws Exception {
    ClusterName cluster = new ClusterName("hot");
    try (CacheWriter writer = CacheWriter.start(viaLink, cluster, CacheWriterSettings.defaults())) {
      List<CompletableFuture<Void>> producers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        producers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 1500; i++) {
            // Each thread owns its hot key, so "last value" is well defined; the cold keys fill the batches around them.
            writer.put(CacheKeys.node(cluster, "hot-" + thread), utf8(Integer.toString(i)));
            writer.put(CacheKeys.node(cluster, "cold-" + thread + "-" + i), utf8("c"));
          }
        }));
      }
      CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      writer.flush().get(60, TimeUnit.SECONDS);

      for (int t = 0; t < 4; t++) {
        assertThat(etcd.value(CacheKeys.node(cluster, "hot-" + t))).hasValue("1499");
      }
      assertThat(etcd.list(CacheType.NODES.prefix(cluster))).hasSize(4 + 4 * 1500);
    }
  }
}
