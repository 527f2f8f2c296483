package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Reads etcd directly, as an agent would, to check what the write path left there. */
final class EtcdProbe {
  private final Client client;

  EtcdProbe(Client client) {
    this.client = client;
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  Optional<KeyValue> get(String key) {
    List<KeyValue> kvs = call(() -> client.getKVClient().get(bytes(key)).get(20, TimeUnit.SECONDS).getKvs());
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
  }

  Optional<String> value(String key) {
    return get(key).map(kv -> kv.getValue().toString(StandardCharsets.UTF_8));
  }

  long lease(String key) {
    return get(key).map(KeyValue::getLease).orElse(-1L);
  }

  /** Key → value of everything under {@code prefix}. */
  Map<String, String> list(String prefix) {
    List<KeyValue> kvs = call(() -> client.getKVClient()
        .get(bytes(prefix), GetOption.builder().isPrefix(true).build()).get(20, TimeUnit.SECONDS).getKvs());
    Map<String, String> out = new TreeMap<>();
    kvs.forEach(kv -> out.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8)));
    return out;
  }

  List<KeyValue> entries(String prefix) {
    return call(() -> client.getKVClient()
        .get(bytes(prefix), GetOption.builder().isPrefix(true).build()).get(20, TimeUnit.SECONDS).getKvs());
  }

  /** The store's current revision: each committed transaction that changed something adds one. */
  long revision() {
    return call(() -> client.getKVClient().get(bytes("meshfed-test/revision-probe")).get(20, TimeUnit.SECONDS)
        .getHeader().getRevision());
  }

  void put(String key, String value) {
    call(() -> client.getKVClient().put(bytes(key), bytes(value)).get(20, TimeUnit.SECONDS));
  }

  void revoke(long lease) {
    call(() -> client.getLeaseClient().revoke(lease).get(20, TimeUnit.SECONDS));
  }

  /** Records every event under {@code prefix} from now on, in etcd's order. */
  Recorder record(String prefix) {
    Recorder recorder = new Recorder();
    long from = revision() + 1;
    recorder.watcher = client.getWatchClient().watch(bytes(prefix),
        WatchOption.builder().isPrefix(true).withRevision(from).build(),
        response -> response.getEvents().forEach(e -> recorder.events.add(new Event(e.getEventType(),
            e.getKeyValue().getKey().toString(StandardCharsets.UTF_8), e.getKeyValue().getModRevision(),
            System.nanoTime()))));
    return recorder;
  }

  /** One watch event, with the time it reached the test. */
  record Event(WatchEvent.EventType type, String key, long revision, long receivedNanos) {
    boolean isDelete() {
      return type == WatchEvent.EventType.DELETE;
    }
  }

  /** A watch collecting events; close it at the end. */
  static final class Recorder implements AutoCloseable {
    final List<Event> events = new CopyOnWriteArrayList<>();
    Watch.Watcher watcher;

    @Override
    public void close() {
      watcher.close();
    }
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (Exception e) {
      throw new AssertionError("etcd call failed: " + e, e);
    }
  }
}
