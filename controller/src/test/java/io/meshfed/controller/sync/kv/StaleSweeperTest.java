package io.meshfed.controller.sync.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sweeping what an earlier controller life left behind. */
class StaleSweeperTest {
  /** One etcd per test: every test starts from its own "earlier life". */
  @RegisterExtension
  final EtcdExtension etcdServer = EtcdExtension.singleNode();

  private static final ClusterName C1 = new ClusterName("c1");
  private static final ClusterName C10 = new ClusterName("c10");

  private Client client;
  private EtcdProbe etcd;

  @BeforeEach
  void connect() {
    client = etcdServer.jetcdClient();
    etcd = new EtcdProbe(client);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("sweeping c1's nodes deletes only c1's stale nodes: not what the session wrote, not c10's, not c1's services")
  void deletesOnlyStaleKeysOfThatClusterAndType() throws Exception {
    // left by an earlier life
    etcd.put(CacheKeys.node(C1, "gone-1"), "old");
    etcd.put(CacheKeys.node(C1, "gone-2"), "old");
    etcd.put(CacheKeys.node(C1, "gone-3"), "old");
    etcd.put(CacheKeys.node(C1, "still-here"), "old");
    etcd.put(CacheKeys.node(C10, "gone-1"), "c10's");
    etcd.put(CacheKeys.service(C1, "default", "web"), "c1's service");

    try (CacheWriter writer = CacheWriter.start(client, C1, CacheWriterSettings.defaults())) {
      // this life's initial list
      writer.put(CacheKeys.node(C1, "still-here"), utf8("new"));
      writer.put(CacheKeys.node(C1, "fresh"), utf8("new"));
      writer.flush().get(10, TimeUnit.SECONDS);
      Set<String> written = Set.of(CacheKeys.node(C1, "still-here"), CacheKeys.node(C1, "fresh"));

      int deleted = new StaleSweeper(client, writer, Duration.ofSeconds(10)).sweep(CacheType.NODES, written);

      assertThat(deleted).isEqualTo(3);
      assertThat(etcd.list(CacheType.NODES.prefix(C1))).containsOnlyKeys(written);
      assertThat(etcd.value(CacheKeys.node(C1, "still-here"))).contains("new");
      assertThat(etcd.value(CacheKeys.node(C10, "gone-1"))).contains("c10's");
      assertThat(etcd.value(CacheKeys.service(C1, "default", "web"))).contains("c1's service");
    }
  }

  @Test
  @DisplayName("a key the session wrote after computing its keep set is not swept")
  void keysWrittenMeanwhileSurvive() throws Exception {
    etcd.put(CacheKeys.node(C1, "stale"), "old");
    try (CacheWriter writer = CacheWriter.start(client, C1, CacheWriterSettings.defaults())) {
      writer.put(CacheKeys.node(C1, "listed"), utf8("v"));
      Set<String> keep = Set.of(CacheKeys.node(C1, "listed"));
      writer.put(CacheKeys.node(C1, "late"), utf8("v")); // a watch event after the initial list
      writer.flush().get(10, TimeUnit.SECONDS);

      int deleted = new StaleSweeper(client, writer, Duration.ofSeconds(10)).sweep(CacheType.NODES, keep);

      assertThat(deleted).isEqualTo(1);
      assertThat(etcd.list(CacheType.NODES.prefix(C1)))
          .containsOnlyKeys(CacheKeys.node(C1, "listed"), CacheKeys.node(C1, "late"));
    }
  }

  @Test
  @DisplayName("thousands of stale keys are listed page by page and deleted in transactions of at most 128")
  void largeSweepIsBatched() throws Exception {
    try (CacheWriter writer = CacheWriter.start(client, C1, CacheWriterSettings.defaults())) {
      Set<String> keep = earlierLifeThenEveryNth(writer, 2500, 10);
      long batchesBefore = writer.stats().batches();
      long before = etcd.revision();

      int deleted;
      try (EtcdProbe.Recorder recorder = etcd.record(CacheType.NODES.prefix(C1))) {
        deleted = new StaleSweeper(client, writer, Duration.ofSeconds(30)).sweep(CacheType.NODES, keep);

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 2250);
        Map<Long, Long> deletesPerRevision = recorder.events.stream().filter(EtcdProbe.Event::isDelete)
            .collect(Collectors.groupingBy(EtcdProbe.Event::revision, Collectors.counting()));
        assertThat(deletesPerRevision.values()).allMatch(n -> n <= 128);
        assertThat(deletesPerRevision.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2250);
      }

      assertThat(deleted).isEqualTo(2250);
      assertThat(etcd.list(CacheType.NODES.prefix(C1))).hasSize(250).containsOnlyKeys(keep);
      // the writer drains while the sweeper queues, so a batch may be short: at least ceil(2250 / 128)
      long batches = writer.stats().batches() - batchesBefore;
      assertThat(batches).isGreaterThanOrEqualTo(18);
      assertThat(etcd.revision() - before).isEqualTo(batches); // one revision per transaction
    }
  }

  @Test
  @DisplayName("a compaction between two pages of the listing: the sweeper lists again from the current revision and still deletes exactly the stale keys")
  void compactionMidListingListsAgain() throws Exception {
    try (CacheWriter writer = CacheWriter.start(client, C1, CacheWriterSettings.defaults())) {
      // 1200 keys: more than one page of the listing
      Set<String> keep = earlierLifeThenEveryNth(writer, 1200, 2);

      AtomicInteger compactions = new AtomicInteger();
      Client compactingBetweenPages = compactingBeforeFirstPinnedRead(client, compactions);
      int deleted = new StaleSweeper(compactingBetweenPages, writer, Duration.ofSeconds(30)).sweep(CacheType.NODES, keep);

      assertThat(compactions).hasValue(1);
      assertThat(deleted).isEqualTo(600);
      assertThat(etcd.list(CacheType.NODES.prefix(C1))).containsOnlyKeys(keep);
    }
  }

  /**
   * An earlier life's {@code count} node keys of c1 (written in batches to be quick), then this
   * life's {@code writer} writes every {@code nth} of them again; returns those (the keep set).
   */
  private Set<String> earlierLifeThenEveryNth(CacheWriter writer, int count, int nth) throws Exception {
    try (CacheWriter earlier = CacheWriter.start(client, C1, CacheWriterSettings.defaults())) {
      for (int i = 0; i < count; i++) {
        earlier.put(CacheKeys.node(C1, String.format("node-%05d", i)), utf8("old"));
      }
      earlier.flush().get(30, TimeUnit.SECONDS);
    }
    Set<String> keep = new HashSet<>();
    for (int i = 0; i < count; i += nth) {
      String key = CacheKeys.node(C1, String.format("node-%05d", i));
      writer.put(key, utf8("new"));
      keep.add(key);
    }
    writer.flush().get(30, TimeUnit.SECONDS);
    return keep;
  }

  /**
   * {@code client}, except that the first read pinned to a revision (the second page of a
   * listing) is preceded by one more write and a compaction up to it, so that revision is gone.
   */
  private static Client compactingBeforeFirstPinnedRead(Client client, AtomicInteger compactions) {
    KV real = client.getKVClient();
    KV kv = (KV) Proxy.newProxyInstance(KV.class.getClassLoader(), new Class<?>[] {KV.class}, (proxy, method, args) -> {
      if (method.getName().equals("get") && args.length == 2 && ((GetOption) args[1]).getRevision() != 0
          && compactions.get() == 0) {
        long now = real.put(ByteSequence.from(utf8("meshfed-test/bump")), ByteSequence.from(utf8("x")))
            .get(20, TimeUnit.SECONDS).getHeader().getRevision();
        real.compact(now).get(20, TimeUnit.SECONDS);
        compactions.incrementAndGet();
      }
      return invoke(method, real, args);
    });
    return (Client) Proxy.newProxyInstance(Client.class.getClassLoader(), new Class<?>[] {Client.class},
        (proxy, method, args) -> method.getName().equals("getKVClient") ? kv : invoke(method, client, args));
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
