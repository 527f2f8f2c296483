package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code cilium/.heartbeat}: RFC 3339, advancing, under a lease that survives loss. */
class HeartbeatTest {
  @RegisterExtension
  static final EtcdExtension ETCD = EtcdExtension.singleNode();

  private static final MarkerSettings EVERY_SECOND = MarkerSettings.defaults()
      .withLeaseTtl(Duration.ofSeconds(5))
      .withHeartbeatInterval(Duration.ofSeconds(1));

  private Client client;
  private EtcdProbe etcd;
  private ScheduledExecutorService scheduler;

  @BeforeEach
  void setUp() {
    client = ETCD.jetcdClient();
    etcd = new EtcdProbe(client);
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  private Instant heartbeat() {
    String value = etcd.value(CacheKeys.heartbeat()).orElseThrow();
    assertThat(value).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    ReadResult<Instant> parsed = KvstoreTimestamps.parse(value);
    assertThat(parsed.isAccepted()).as("RFC 3339: %s", value).isTrue();
    return parsed.value();
  }

  @Test
  @DisplayName("the heartbeat is an RFC 3339 timestamp under a lease, and it advances")
  void heartbeatAdvances() throws Exception {
    try (Heartbeat heartbeat = Heartbeat.start(client, EVERY_SECOND, scheduler, Clock.systemUTC())) {
      heartbeat.firstWrite().get(10, TimeUnit.SECONDS);
      Instant first = heartbeat();
      KeyValue stored = etcd.get(CacheKeys.heartbeat()).orElseThrow();
      assertThat(stored.getLease()).isNotZero().isEqualTo(heartbeat.leaseId());
      assertThat(stored.getValue().toString(StandardCharsets.UTF_8)).isEqualTo(KvstoreTimestamps.format(first));

      await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat().isAfter(first));
    }
  }

  @Test
  @DisplayName("a revoked heartbeat lease is replaced and the heartbeat keeps advancing")
  void heartbeatSurvivesLeaseLoss() throws Exception {
    try (Heartbeat heartbeat = Heartbeat.start(client, EVERY_SECOND, scheduler, Clock.systemUTC())) {
      heartbeat.firstWrite().get(10, TimeUnit.SECONDS);
      long lost = etcd.lease(CacheKeys.heartbeat());

      etcd.revoke(lost);

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(etcd.lease(CacheKeys.heartbeat())).isNotIn(lost, 0L, -1L));
      Instant after = heartbeat();
      await().atMost(Duration.ofSeconds(10)).until(() -> heartbeat().isAfter(after));
    }
  }
}
