package io.meshfed.controller.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The mesh's state in etcd under {@code meshfed/}. Every change that touches more than one key is
 * one transaction guarded by compare-and-swap, so a crash or a concurrent replica never leaves half
 * a change behind.
 *
 * <p>Blocking, with a timeout per call: the controller calls it from worker threads, never from an
 * event loop (the HTTP layer bridges with {@code executeBlocking}).
 */
public final class MeshStore implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final Client client;
  private final KV kv;

  public MeshStore(Client client) {
    this.client = client;
    this.kv = client.getKVClient();
  }

  public Client client() {
    return client;
  }

  // ---- generic -------------------------------------------------------------------------------

  /** The current etcd revision (used to prove a dry run wrote nothing). */
  public long revision() {
    return await(kv.get(bytes(MeshKeys.SCHEMA_VERSION)), "revision").getHeader().getRevision();
  }

  public Optional<KeyValue> get(String key) {
    List<KeyValue> kvs = await(kv.get(bytes(key)), key).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
  }

  public List<KeyValue> list(String prefix) {
    GetResponse r = await(kv.get(bytes(prefix), GetOption.builder().isPrefix(true).build()), prefix);
    return r.getKvs();
  }

  /** Marks {@code name}'s leave as started at {@code since} (see {@link MeshKeys#LEAVING}). */
  public void markLeaving(String name, java.time.Instant since) {
    String key = MeshKeys.leaving(name);
    await(kv.put(bytes(key), ByteSequence.from(since.toString(), StandardCharsets.UTF_8)), key);
  }

  /** Members whose leave started, and when; an unparsable mark counts as started now (the safe side). */
  public java.util.Map<String, java.time.Instant> leavingMembers(java.time.Instant now) {
    java.util.Map<String, java.time.Instant> out = new java.util.TreeMap<>();
    for (KeyValue v : list(MeshKeys.LEAVING)) {
      out.put(v.getKey().toString(StandardCharsets.UTF_8).substring(MeshKeys.LEAVING.length()), leavingSince(v, now));
    }
    return out;
  }

  /** When {@code name}'s leave started, if it is under way (one read). */
  public Optional<java.time.Instant> leavingSince(String name, java.time.Instant now) {
    return get(MeshKeys.leaving(name)).map(v -> leavingSince(v, now));
  }

  private static java.time.Instant leavingSince(KeyValue mark, java.time.Instant now) {
    try {
      return java.time.Instant.parse(mark.getValue().toString(StandardCharsets.UTF_8));
    } catch (java.time.format.DateTimeParseException e) {
      return now;
    }
  }

  public void deletePrefix(String prefix) {
    await(kv.delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()), prefix);
  }

  // ---- mesh ----------------------------------------------------------------------------------

  public Optional<MeshRecord> mesh() {
    return get(MeshKeys.MESH).map(v -> Records.fromJson(MeshKeys.MESH, v.getValue().getBytes(), MeshRecord.class));
  }

  public CaRecord ca() {
    return get(MeshKeys.CA)
        .map(v -> Records.fromJson(MeshKeys.CA, v.getValue().getBytes(), CaRecord.class))
        .orElseThrow(() -> new StoreException(MeshKeys.CA, "no CA material: the mesh is not bootstrapped"));
  }

  /** Writes schema version, mesh and CA in one transaction, only if no mesh exists yet. */
  public void bootstrap(MeshRecord mesh, CaRecord ca) {
    TxnResponse r = await(kv.txn()
        .If(new Cmp(bytes(MeshKeys.MESH), Cmp.Op.EQUAL, CmpTarget.version(0)))
        .Then(
            Op.put(bytes(MeshKeys.SCHEMA_VERSION), bytes(String.valueOf(MeshKeys.SCHEMA)), PutOption.DEFAULT),
            Op.put(bytes(MeshKeys.MESH), ByteSequence.from(Records.toJson(mesh)), PutOption.DEFAULT),
            Op.put(bytes(MeshKeys.CA), ByteSequence.from(Records.toJson(ca)), PutOption.DEFAULT))
        .commit(), MeshKeys.MESH);
    if (!r.isSucceeded()) {
      String existing = mesh().map(MeshRecord::name).orElse("?");
      throw new StoreException("mesh", "a mesh (\"" + existing + "\") already exists in this etcd; refusing to bootstrap over it");
    }
  }

  /** Refuses to run against state written by a newer schema. */
  public void checkSchema() {
    Optional<KeyValue> v = get(MeshKeys.SCHEMA_VERSION);
    if (v.isEmpty()) {
      throw new StoreException(MeshKeys.SCHEMA_VERSION, "missing: the mesh is not bootstrapped (run `meshfed bootstrap`)");
    }
    String s = v.get().getValue().toString(StandardCharsets.UTF_8);
    int found;
    try {
      found = Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new StoreException(MeshKeys.SCHEMA_VERSION, "unreadable value \"" + s + "\"");
    }
    if (found > MeshKeys.SCHEMA) {
      throw new StoreException(MeshKeys.SCHEMA_VERSION, "state has schema " + found + " but this meshfed reads up to " + MeshKeys.SCHEMA + "; upgrade meshfed");
    }
  }

  // ---- tokens --------------------------------------------------------------------------------

  /** Stores a token under a lease of its TTL, so etcd deletes it when it expires. */
  public TokenRecord createToken(TokenRecord token, Duration ttl) {
    long lease = await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), "lease").getID();
    TokenRecord stored = new TokenRecord(token.id(), token.secretSha256(), token.usesLeft(), token.clusterName(),
        token.createdAt(), token.expiresAt(), lease, token.description());
    TxnResponse r = await(kv.txn()
        .If(new Cmp(bytes(MeshKeys.token(token.id())), Cmp.Op.EQUAL, CmpTarget.version(0)))
        .Then(Op.put(bytes(MeshKeys.token(token.id())), ByteSequence.from(Records.toJson(stored)), PutOption.builder().withLeaseId(lease).build()))
        .commit(), MeshKeys.token(token.id()));
    if (!r.isSucceeded()) {
      await(client.getLeaseClient().revoke(lease), "lease");
      throw new StoreException("token", "token id " + token.id() + " is taken; try again");
    }
    return stored;
  }

  public Optional<Versioned<TokenRecord>> token(String id) {
    String key = MeshKeys.token(id);
    return get(key).map(v -> new Versioned<>(key, Records.fromJson(key, v.getValue().getBytes(), TokenRecord.class), v.getModRevision(), v.getLease()));
  }

  public List<TokenRecord> tokens() {
    List<TokenRecord> out = new ArrayList<>();
    for (KeyValue v : list(MeshKeys.TOKENS)) {
      ForeignValues.read(v.getKey().toString(StandardCharsets.UTF_8), v.getValue().getBytes(), TokenRecord.class, t -> MeshKeys.token(t.id()))
          .ifPresent(out::add);
    }
    return out;
  }

  /** Deletes a token and its lease; false when there was none. */
  public boolean revokeToken(String id) {
    Optional<Versioned<TokenRecord>> t = token(id);
    if (t.isEmpty()) {
      return false;
    }
    await(kv.delete(bytes(MeshKeys.token(id))), MeshKeys.token(id));
    if (t.get().leaseId() != 0) {
      try {
        await(client.getLeaseClient().revoke(t.get().leaseId()), "lease");
      } catch (StoreException ignored) {
        // the lease may already be gone with an expiring token; the key is deleted either way
      }
    }
    return true;
  }

  /** Gives a token its use back after a join was rolled back (if the token still exists). */
  public void restoreTokenUse(String id) {
    Optional<Versioned<TokenRecord>> t = token(id);
    if (t.isEmpty()) {
      return;
    }
    Versioned<TokenRecord> v = t.get();
    TokenRecord back = v.value().withUsesLeft(v.value().usesLeft() + 1);
    await(kv.txn()
        .If(new Cmp(bytes(v.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(v.modRevision())))
        .Then(Op.put(bytes(v.key()), ByteSequence.from(Records.toJson(back)), PutOption.builder().withLeaseId(v.leaseId()).build()))
        .commit(), v.key());
  }

  // ---- clusters ------------------------------------------------------------------------------

  public List<ClusterRecord> clusters() {
    List<ClusterRecord> out = new ArrayList<>();
    for (KeyValue v : list(MeshKeys.CLUSTERS)) {
      // A value that is not a member record, or names another cluster, is skipped (logged, counted): not a member.
      ForeignValues.read(v.getKey().toString(StandardCharsets.UTF_8), v.getValue().getBytes(), ClusterRecord.class, c -> MeshKeys.cluster(c.name()))
          .ifPresent(out::add);
    }
    return out;
  }

  public Optional<Versioned<ClusterRecord>> cluster(String name) {
    String key = MeshKeys.cluster(name);
    return get(key).map(v -> new Versioned<>(key, Records.fromJson(key, v.getValue().getBytes(), ClusterRecord.class), v.getModRevision(), v.getLease()));
  }

  /** The name registered for a kube-system uid, if any. */
  public Optional<String> clusterByUid(String uid) {
    return get(MeshKeys.clusterUid(uid)).map(v -> v.getValue().toString(StandardCharsets.UTF_8));
  }

  public Optional<String> clusterById(int id) {
    return get(MeshKeys.clusterId(id)).map(v -> v.getValue().toString(StandardCharsets.UTF_8));
  }

  /**
   * Takes name, ID and kube-system uid and spends one use of the token, all or nothing. Fails with
   * a {@link StoreException} naming what was taken meanwhile (a concurrent join).
   */
  public void registerJoining(ClusterRecord cluster, Versioned<TokenRecord> token) {
    TokenRecord spent = token.value().withUsesLeft(token.value().usesLeft() - 1);
    TxnResponse r;
    try {
      r = await(kv.txn()
          .If(
              new Cmp(bytes(MeshKeys.cluster(cluster.name())), Cmp.Op.EQUAL, CmpTarget.version(0)),
              new Cmp(bytes(MeshKeys.clusterId(cluster.id())), Cmp.Op.EQUAL, CmpTarget.version(0)),
              new Cmp(bytes(MeshKeys.clusterUid(cluster.kubeSystemUid())), Cmp.Op.EQUAL, CmpTarget.version(0)),
              new Cmp(bytes(token.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(token.modRevision())))
          .Then(
              Op.put(bytes(MeshKeys.cluster(cluster.name())), ByteSequence.from(Records.toJson(cluster)), PutOption.DEFAULT),
              Op.put(bytes(MeshKeys.clusterId(cluster.id())), bytes(cluster.name()), PutOption.DEFAULT),
              Op.put(bytes(MeshKeys.clusterUid(cluster.kubeSystemUid())), bytes(cluster.name()), PutOption.DEFAULT),
              Op.put(bytes(token.key()), ByteSequence.from(Records.toJson(spent)), PutOption.builder().withLeaseId(token.leaseId()).build()))
          .commit(), MeshKeys.cluster(cluster.name()));
    } catch (StoreException e) {
      if (String.valueOf(e.getMessage()).contains("lease not found")) {
        throw new StoreException("token", "the join token has expired");
      }
      throw e;
    }
    if (!r.isSucceeded()) {
      if (cluster(cluster.name()).isPresent()) {
        throw new StoreException("cluster-name", "\"" + cluster.name() + "\" was registered by another join meanwhile");
      }
      if (clusterById(cluster.id()).isPresent()) {
        throw new StoreException("cluster-id", "cluster ID " + cluster.id() + " was taken by another join meanwhile");
      }
      if (clusterByUid(cluster.kubeSystemUid()).isPresent()) {
        throw new StoreException("kube-system uid", "this Kubernetes cluster was registered by another join meanwhile");
      }
      throw new StoreException("token", "the join token was used or revoked meanwhile");
    }
  }

  /** Replaces a cluster record if nobody changed it since {@code current} was read. */
  public void updateCluster(Versioned<ClusterRecord> current, ClusterRecord next) {
    TxnResponse r = await(kv.txn()
        .If(new Cmp(bytes(current.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
        .Then(Op.put(bytes(current.key()), ByteSequence.from(Records.toJson(next)), PutOption.DEFAULT))
        .commit(), current.key());
    if (!r.isSucceeded()) {
      throw new StoreException("cluster " + next.name(), "changed by someone else meanwhile; retry");
    }
  }

  /**
   * Removes a cluster: its record, ID and uid indexes, every key under {@code extraPrefixes}
   * (its synced Cilium data), and records revocations, in one transaction.
   */
  public void removeCluster(Versioned<ClusterRecord> current, List<RevocationRecord> revocations, List<String> extraPrefixes) {
    removeCluster(current, revocations, extraPrefixes, List.of());
  }

  /**
   * As above, also deleting {@code exactKeys}. Prefixes must end with {@code /}: a bare
   * {@code cilium/cluster-config/c1} as a prefix would also delete {@code c10}'s key.
   */
  public void removeCluster(Versioned<ClusterRecord> current, List<RevocationRecord> revocations, List<String> extraPrefixes, List<String> exactKeys) {
    ClusterRecord c = current.value();
    List<Op> ops = new ArrayList<>();
    for (String key : exactKeys) {
      ops.add(Op.delete(bytes(key), DeleteOption.DEFAULT));
    }
    for (String prefix : extraPrefixes) {
      if (!prefix.endsWith("/")) {
        throw new IllegalArgumentException("prefix must end with '/': " + prefix);
      }
    }
    ops.add(Op.delete(bytes(current.key()), DeleteOption.DEFAULT));
    ops.add(Op.delete(bytes(MeshKeys.clusterId(c.id())), DeleteOption.DEFAULT));
    ops.add(Op.delete(bytes(MeshKeys.clusterUid(c.kubeSystemUid())), DeleteOption.DEFAULT));
    for (String prefix : extraPrefixes) {
      ops.add(Op.delete(bytes(prefix), DeleteOption.builder().isPrefix(true).build()));
    }
    for (RevocationRecord rev : revocations) {
      ops.add(Op.put(bytes(MeshKeys.revoked(rev.serial())), ByteSequence.from(Records.toJson(rev)), PutOption.DEFAULT));
    }
    TxnResponse r = await(kv.txn()
        .If(new Cmp(bytes(current.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
        .Then(ops.toArray(Op[]::new))
        .commit(), current.key());
    if (!r.isSucceeded()) {
      throw new StoreException("cluster " + c.name(), "changed by someone else meanwhile; retry");
    }
  }

  public Set<String> revokedSerials() {
    Set<String> out = new HashSet<>();
    for (KeyValue v : list(MeshKeys.REVOKED)) {
      out.add(v.getKey().toString(StandardCharsets.UTF_8).substring(MeshKeys.REVOKED.length()));
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }

  // ---- helpers -------------------------------------------------------------------------------

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Waits for an etcd call; every failure becomes a StoreException naming the key it concerned. */
  public static <T> T await(CompletableFuture<T> f, String key) {
    return await(f, key, TIMEOUT);
  }

  /** As {@link #await(CompletableFuture, String)}, waiting at most {@code timeout}. */
  public static <T> T await(CompletableFuture<T> f, String key, Duration timeout) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(key, "interrupted");
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new StoreException(key, "etcd did not answer within " + timeout.toSeconds() + " s (is etcd reachable and has it quorum?)");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreException(key, "etcd refused or failed: " + cause.getMessage(), cause);
    }
  }
}
