package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failing etcd: batches are retried with back-off and no accepted update is lost. */
class CacheWriterRetryTest {
  /** Its own etcd per test: the test stops it. */
  @RegisterExtension
  final EtcdExtension etcdServer = EtcdExtension.singleNode();

  @Test
  @DisplayName("while etcd is down batches are retried; after it is back every update is there with its last value")
  void retriesUntilEtcdIsBack() throws Exception {
    Client client = etcdServer.jetcdClient();
    EtcdProbe etcd = new EtcdProbe(client);
    ClusterName cluster = new ClusterName("retry");
    CacheWriterSettings settings = CacheWriterSettings.defaults()
        .withRequestTimeout(Duration.ofSeconds(1))
        .withRetry(Duration.ofMillis(100), Duration.ofMillis(800));
    try (CacheWriter writer = CacheWriter.start(client, cluster, settings)) {
      writer.put(CacheKeys.node(cluster, "before"), "b".getBytes(StandardCharsets.UTF_8));
      writer.flush().get(10, TimeUnit.SECONDS);

      etcdServer.server().stop();
      for (int i = 0; i < 300; i++) {
        writer.put(CacheKeys.node(cluster, "node-" + (i % 200)), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      CompletableFuture<Void> flushed = writer.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().retries() >= 3);
      assertThat(flushed).isNotDone();

      etcdServer.server().start();

      flushed.get(90, TimeUnit.SECONDS);
      var stored = etcd.list(CacheType.NODES.prefix(cluster));
      assertThat(stored).hasSize(201).containsEntry(CacheKeys.node(cluster, "before"), "b");
      for (int k = 0; k < 200; k++) {
        String expected = k < 100 ? "v" + (200 + k) : "v" + k;
        assertThat(stored).containsEntry(CacheKeys.node(cluster, "node-" + k), expected);
      }
    }
  }
}
