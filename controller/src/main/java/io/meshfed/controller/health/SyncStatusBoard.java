package io.meshfed.controller.health;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeadershipLostException;
import io.meshfed.controller.store.ForeignValues;
import io.meshfed.controller.store.Records;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Each member's sync summary as the leader last saw it, {@code meshfed/sync-status/<cluster>}: the
 * leader publishes it (fenced), and a follower's health answers read it, so every replica judges
 * sync the same way. The leader itself answers from its live sessions.
 */
public final class SyncStatusBoard {
  public static final String PREFIX = "meshfed/sync-status/";
  private static final long TIMEOUT_MS = 15_000;

  private final KV kv;

  public SyncStatusBoard(KV kv) {
    this.kv = kv;
  }

  /**
   * Writes the summaries that differ from what etcd holds (one fenced transaction per member) and
   * deletes those of clusters no longer in {@code facts}. An unchanged summary is not rewritten, so
   * a quiet mesh adds no etcd revisions. Blocking; call from a worker.
   *
   * @throws LeadershipLostException when etcd refused the fenced transaction (the fence is told)
   */
  public void publish(Map<String, ClusterFacts.SyncFacts> facts, Fence fence) {
    Map<String, Optional<ClusterFacts.SyncFacts>> held = new HashMap<>();
    for (KeyValue v : await(kv.get(bytes(PREFIX), GetOption.builder().isPrefix(true).build())).getKvs()) {
      String key = v.getKey().toString(StandardCharsets.UTF_8);
      held.put(key.substring(PREFIX.length()),
          ForeignValues.read(key, v.getValue().getBytes(), ClusterFacts.SyncFacts.class, null));
    }
    for (var e : facts.entrySet()) {
      if (!held.getOrDefault(e.getKey(), Optional.empty()).equals(Optional.of(e.getValue()))) {
        commit(fence, Op.put(bytes(PREFIX + e.getKey()), ByteSequence.from(Records.toJson(e.getValue())), PutOption.DEFAULT));
      }
    }
    for (String cluster : held.keySet()) {
      if (!facts.containsKey(cluster)) {
        commit(fence, Op.delete(bytes(PREFIX + cluster), DeleteOption.DEFAULT));
      }
    }
  }

  /** The member's published summary; empty when none (or not ours: logged and skipped). Blocking. */
  public Optional<ClusterFacts.SyncFacts> read(String cluster) {
    return await(kv.get(bytes(PREFIX + cluster))).getKvs().stream().findFirst()
        .flatMap(held -> ForeignValues.read(PREFIX + cluster, held.getValue().getBytes(), ClusterFacts.SyncFacts.class, f -> PREFIX + cluster));
  }

  private void commit(Fence fence, Op op) {
    TxnResponse r = await(kv.txn().If(fence.compares()).Then(op).commit());
    if (!r.isSucceeded()) {
      fence.refused("sync-status publish: etcd refused the fenced write");
      throw new LeadershipLostException("etcd refused the fenced sync-status write (the leader key changed)");
    }
  }

  private static <T> T await(CompletableFuture<T> call) {
    try {
      return call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("etcd " + PREFIX + ": " + e.getMessage(), e);
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
