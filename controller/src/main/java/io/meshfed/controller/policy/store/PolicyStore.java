package io.meshfed.controller.policy.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeadershipLostException;
import io.meshfed.controller.policy.MeshPolicy;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.store.MeshKeys;
import io.meshfed.controller.store.Records;
import io.meshfed.controller.store.StoreException;
import io.meshfed.controller.store.Versioned;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mesh policies, their per-member status and their drift events in etcd:
 *
 * <ul>
 *   <li>{@code meshfed/policies/<kind>/<namespace|_cluster>/<name>}: {@link MeshPolicy};</li>
 *   <li>{@code meshfed/policy-status/<cluster>/<policy key>}: {@link PolicyStatusRecord};</li>
 *   <li>{@code meshfed/policy-events/<policy key>/<millis>-<seq>-<cluster>}: {@link PolicyEventRecord},
 *       the newest {@value #EVENTS_KEPT} per policy (older ones go in the transaction that adds one).</li>
 * </ul>
 *
 * <p>Policy changes are transactions guarded by each key's mod revision (or its absence), so two
 * concurrent applies cannot both build on the same generation. Blocking, like {@code MeshStore}:
 * call it from worker threads only.
 *
 * <p>Statuses and events are the leader's rollout writing what it saw; the store it is given is
 * {@link #fencedBy fenced}, so a deposed leader's late status cannot overwrite the new leader's.
 */
public final class PolicyStore {
  /** etcd's default {@code --max-txn-ops}: the most puts (or compares) one transaction may hold. */
  public static final int MAX_TXN_OPS = 128;
  public static final int EVENTS_KEPT = 100;

  private final KV kv;
  private final AtomicLong eventSeq;
  private final Fence fence;

  public PolicyStore(Client client) {
    this(client.getKVClient(), new AtomicLong(), Fence.unfenced());
  }

  private PolicyStore(KV kv, AtomicLong eventSeq, Fence fence) {
    this.kv = kv;
    this.eventSeq = eventSeq;
    this.fence = fence;
  }

  /**
   * This store, with status and event writes behind {@code fence}: refused ones throw
   * {@link LeadershipLostException} (after telling the fence) instead of landing.
   */
  public PolicyStore fencedBy(Fence fence) {
    return new PolicyStore(kv, eventSeq, fence);
  }

  // ---- policies ------------------------------------------------------------------------------

  public static String key(PolicyKey k) {
    return MeshKeys.POLICIES + k.id();
  }

  public List<Versioned<MeshPolicy>> list() {
    List<Versioned<MeshPolicy>> out = new ArrayList<>();
    for (KeyValue v : range(MeshKeys.POLICIES, false)) {
      String key = str(v.getKey());
      io.meshfed.controller.store.ForeignValues.read(key, v.getValue().getBytes(), MeshPolicy.class, p -> MeshKeys.POLICIES + p.key())
          .ifPresent(p -> out.add(new Versioned<>(key, p, v.getModRevision(), 0)));
    }
    return out;
  }

  /** The keys of every policy, without reading their values. */
  public List<PolicyKey> keys() {
    List<PolicyKey> out = new ArrayList<>();
    for (KeyValue v : range(MeshKeys.POLICIES, true)) {
      try {
        out.add(PolicyKey.parseId(str(v.getKey()).substring(MeshKeys.POLICIES.length())));
      } catch (IllegalArgumentException ignored) {
        // not a key this version writes; list() reports it if it is unreadable
      }
    }
    return out;
  }

  /**
   * Every policy's key with the revision it was last changed at, without reading values: what a
   * leader compares between polls to see changes applied through another replica.
   */
  public Map<PolicyKey, Long> revisions() {
    Map<PolicyKey, Long> out = new HashMap<>();
    for (KeyValue v : range(MeshKeys.POLICIES, true)) {
      try {
        out.put(PolicyKey.parseId(str(v.getKey()).substring(MeshKeys.POLICIES.length())), v.getModRevision());
      } catch (IllegalArgumentException ignored) {
        // not a key this version writes; list() reports it if it is unreadable
      }
    }
    return out;
  }

  public Optional<Versioned<MeshPolicy>> get(PolicyKey k) {
    String key = key(k);
    List<KeyValue> kvs = await(kv.get(bytes(key)), key).getKvs();
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    KeyValue v = kvs.get(0);
    return Optional.of(new Versioned<>(key, Records.fromJson(key, v.getValue().getBytes(), MeshPolicy.class), v.getModRevision(), 0));
  }

  /** One change: {@code current} null for a policy that must not exist yet. */
  public record Write(Versioned<MeshPolicy> current, MeshPolicy next) {}

  /**
   * Stores every change in one transaction, if no policy among them changed since it was read
   * (and no new one appeared meanwhile). False when a guard failed: nothing was written.
   */
  public boolean write(List<Write> writes) {
    if (writes.isEmpty()) {
      return true;
    }
    if (writes.size() > MAX_TXN_OPS) {
      throw new IllegalArgumentException("at most " + MAX_TXN_OPS + " policies per transaction, got " + writes.size());
    }
    List<Cmp> guards = new ArrayList<>();
    List<Op> puts = new ArrayList<>();
    for (Write w : writes) {
      String key = key(w.next().policyKey());
      guards.add(w.current() == null
          ? new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.version(0))
          : new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(w.current().modRevision())));
      puts.add(Op.put(bytes(key), ByteSequence.from(Records.toJson(w.next())), PutOption.DEFAULT));
    }
    TxnResponse r = await(kv.txn().If(guards.toArray(Cmp[]::new)).Then(puts.toArray(Op[]::new)).commit(), MeshKeys.POLICIES);
    return r.isSucceeded();
  }

  /** Deletes a policy if it did not change since it was read; false otherwise. */
  public boolean delete(Versioned<MeshPolicy> current) {
    TxnResponse r = await(kv.txn()
        .If(new Cmp(bytes(current.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
        .Then(Op.delete(bytes(current.key()), DeleteOption.DEFAULT))
        .commit(), current.key());
    return r.isSucceeded();
  }

  // ---- status --------------------------------------------------------------------------------

  public static String statusKey(String cluster, String policyKey) {
    return MeshKeys.POLICY_STATUS + cluster + "/" + policyKey;
  }

  public List<PolicyStatusRecord> statuses() {
    return readStatuses(MeshKeys.POLICY_STATUS);
  }

  public List<PolicyStatusRecord> statuses(String cluster) {
    return readStatuses(MeshKeys.POLICY_STATUS + cluster + "/");
  }

  /** One policy's status in each of {@code clusters} that has one (one read per 128 members). */
  public List<PolicyStatusRecord> statusesOf(PolicyKey k, List<String> clusters) {
    List<PolicyStatusRecord> out = new ArrayList<>();
    for (int i = 0; i < clusters.size(); i += MAX_TXN_OPS) {
      List<Op> gets = new ArrayList<>();
      for (String c : clusters.subList(i, Math.min(clusters.size(), i + MAX_TXN_OPS))) {
        gets.add(Op.get(bytes(statusKey(c, k.id())), GetOption.DEFAULT));
      }
      TxnResponse r = await(kv.txn().Then(gets.toArray(Op[]::new)).commit(), MeshKeys.POLICY_STATUS);
      r.getGetResponses().forEach(g -> g.getKvs().forEach(v ->
          io.meshfed.controller.store.ForeignValues.read(str(v.getKey()), v.getValue().getBytes(), PolicyStatusRecord.class, null).ifPresent(out::add)));
    }
    return out;
  }

  /** A member's status changes: puts and deletions (policy keys), in transactions of at most 128 operations. */
  public void writeStatuses(String cluster, List<PolicyStatusRecord> puts, List<String> deletions) {
    List<Op> ops = new ArrayList<>();
    for (PolicyStatusRecord s : puts) {
      ops.add(Op.put(bytes(statusKey(s.cluster(), s.policy())), ByteSequence.from(Records.toJson(s)), PutOption.DEFAULT));
    }
    for (String policy : deletions) {
      ops.add(Op.delete(bytes(statusKey(cluster, policy)), DeleteOption.DEFAULT));
    }
    for (int i = 0; i < ops.size(); i += MAX_TXN_OPS) {
      commitFenced(ops.subList(i, Math.min(ops.size(), i + MAX_TXN_OPS)), MeshKeys.POLICY_STATUS + cluster + "/");
    }
  }

  /** {@code ops} in one transaction behind the fence (none when unfenced). */
  private void commitFenced(List<Op> ops, String key) {
    TxnResponse r = await(kv.txn().If(fence.compares()).Then(ops.toArray(Op[]::new)).commit(), key);
    if (!r.isSucceeded()) {
      fence.refused("policy store " + key + ": etcd refused the fenced write");
      throw new LeadershipLostException("etcd refused the fenced write under " + key + " (the leader key changed)");
    }
  }

  /** Forgets a member's statuses (it left the mesh). */
  public void deleteClusterStatuses(String cluster) {
    String prefix = MeshKeys.POLICY_STATUS + cluster + "/";
    await(kv.delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()), prefix);
  }

  private List<PolicyStatusRecord> readStatuses(String prefix) {
    List<PolicyStatusRecord> out = new ArrayList<>();
    for (KeyValue v : range(prefix, false)) {
      io.meshfed.controller.store.ForeignValues.read(str(v.getKey()), v.getValue().getBytes(), PolicyStatusRecord.class, null).ifPresent(out::add);
    }
    return out;
  }

  // ---- events --------------------------------------------------------------------------------

  /** Adds an event and drops the oldest beyond {@value #EVENTS_KEPT} of that policy, in one transaction. */
  public void recordEvent(PolicyEventRecord e) {
    String prefix = MeshKeys.POLICY_EVENTS + e.policy() + "/";
    String key = prefix + String.format("%013d-%06d-%s", e.time().toEpochMilli(), eventSeq.incrementAndGet() % 1_000_000, e.cluster());
    List<KeyValue> existing = range(prefix, true);
    List<Op> deletes = new ArrayList<>();
    int excess = existing.size() + 1 - EVENTS_KEPT;
    for (int i = 0; i < excess && i < existing.size(); i++) {
      deletes.add(Op.delete(existing.get(i).getKey(), DeleteOption.DEFAULT));
    }
    // Normally one deletion rides along with the put; a backlog is trimmed in full transactions first.
    while (deletes.size() >= MAX_TXN_OPS) {
      List<Op> chunk = deletes.subList(0, MAX_TXN_OPS);
      commitFenced(chunk, prefix);
      chunk.clear();
    }
    deletes.add(Op.put(bytes(key), ByteSequence.from(Records.toJson(e)), PutOption.DEFAULT));
    commitFenced(deletes, prefix);
  }

  /** A policy's events, newest first. */
  public List<PolicyEventRecord> events(PolicyKey k) {
    String prefix = MeshKeys.POLICY_EVENTS + k.id() + "/";
    List<PolicyEventRecord> out = new ArrayList<>();
    for (KeyValue v : range(prefix, false)) {
      io.meshfed.controller.store.ForeignValues.read(str(v.getKey()), v.getValue().getBytes(), PolicyEventRecord.class, null).ifPresent(out::add);
    }
    Collections.reverse(out);
    return out;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private List<KeyValue> range(String prefix, boolean keysOnly) {
    GetOption.Builder o = GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY)
        .withSortOrder(GetOption.SortOrder.ASCEND);
    if (keysOnly) {
      o.withKeysOnly(true);
    }
    return await(kv.get(bytes(prefix), o.build()), prefix).getKvs();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String str(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  /** The store's own wait: one timeout and one way to name etcd failures, for every reader of etcd. */
  private static <T> T await(CompletableFuture<T> f, String key) {
    return io.meshfed.controller.store.MeshStore.await(f, key);
  }

}
