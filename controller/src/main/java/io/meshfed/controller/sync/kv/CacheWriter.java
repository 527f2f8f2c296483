package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeadershipLostException;
import io.meshfed.controller.sync.kv.EtcdCalls.EtcdCallException;
import io.meshfed.controller.sync.kv.LeasePool.LostLease;
import io.meshfed.controller.sync.kv.WriteQueue.Accepted;
import io.meshfed.controller.sync.kv.WriteQueue.Batch;
import io.meshfed.controller.sync.kv.WriteQueue.Pending;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one member cluster's cache keys into the mesh etcd: the only writer of that cluster's
 * {@code cilium/cache/.../<c>/} keys and canaries, so that ordering, coalescing and lease
 * bookkeeping need no coordination with anyone else.
 *
 * <p><b>One writer per member</b>, not one for the mesh: a member whose informers burst (initial
 * list, a rollout) fills only its own queue and is slowed by its own backpressure, a lost lease
 * re-writes only that member's keys, and a cluster's writer is simply closed when it leaves.
 * The cost is one thread and one to a few leases per member.
 *
 * <p><b>Write path.</b> {@link #put} and {@link #delete} go into a bounded queue holding at most one
 * entry per key (a newer value replaces the older in place: coalescing). A single writer thread
 * takes up to 128 entries from the head, drops puts whose bytes equal what this writer last wrote
 * (skip-unchanged; the record compares {@link ByteSequence}s, hash first), and sends the rest as
 * ONE etcd transaction, each put with its lease. Up to {@code maxInFlight} transactions are on the
 * wire at once; a key is never in two of them (the queue holds a key back while it is in flight),
 * so the order of writes per key is kept whichever transaction commits first. A failed
 * transaction is retried alone, with jittered doubling back-off capped at {@code retryMax}, before
 * anything new is sent, until it commits: an accepted update is never dropped (only {@link #close}
 * abandons what is left).
 *
 * <p><b>Backpressure.</b> When {@code capacity} keys are waiting, a put of a NEW key blocks for up
 * to {@code putTimeout}, then fails with {@link WriteQueueFullException}; updates of keys already
 * waiting never block (they take no room). Memory is bounded by the queue, one batch, and the
 * record of last written values (needed to re-write keys whose lease was lost).
 *
 * <p><b>Leases</b> ({@link LeasePool}): at most 1000 keys per lease; when a lease is lost the
 * writer re-queues every key that was on it, from its record of last written values, as Cilium's
 * syncstore does with an expired lease. Deletes are plain deletes.
 *
 * <p><b>Threads.</b> {@code put}/{@code delete}/{@code flush} are safe from any thread. The writer
 * thread ({@code meshfed-kv-writer-<cluster>}) alone touches the record and the leases and talks
 * to etcd; jetcd's callbacks only hand a finished transaction back to it, and keep-alive callbacks
 * only queue lease losses. Retries block the writer thread on jetcd futures with a timeout. Flush
 * futures complete on the callback executor, never on the writer thread.
 *
 * <p><b>Fencing.</b> Every transaction carries the {@link Fence}'s compares (the leader key still
 * has this replica's create revision and value). A refused transaction is not retried: leadership
 * is gone, so the writer reports it to the fence (the election steps down) and closes itself.
 */
public final class CacheWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CacheWriter.class);

  private final ClusterName cluster;
  private final KV kv;
  private final CacheWriterSettings settings;
  private final WriteQueue queue;
  private final LeasePool leases;
  private final Fence fence;
  private final Thread thread;
  /** Last bytes this writer committed per key: the skip-unchanged record and the source of re-writes. */
  private final Map<String, ByteSequence> written = new HashMap<>();
  /** Transactions sent and not yet settled (writer thread only). */
  private final List<Sent> inFlight = new ArrayList<>();
  /** Transactions whose answer came, handed over from jetcd's callbacks to the writer thread. */
  private final Queue<Sent> finished = new ConcurrentLinkedQueue<>();

  private final AtomicLong putsSubmitted = new AtomicLong();
  private final AtomicLong deletesSubmitted = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final WriteLatency latency = new WriteLatency();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong keysRewritten = new AtomicLong();
  private final AtomicInteger peakInFlight = new AtomicInteger();

  private CacheWriter(Client client, ClusterName cluster, CacheWriterSettings settings, Executor callbacks, Fence fence) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.fence = Objects.requireNonNull(fence, "fence");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.kv = client.getKVClient();
    this.queue = new WriteQueue(cluster.value(), settings.capacity(), callbacks);
    this.leases = new LeasePool(cluster.value(), client.getLeaseClient(), settings.leaseTtl(),
        settings.keysPerLease(), settings.requestTimeout(), queue::wake);
    this.thread = new Thread(this::run, "meshfed-kv-writer-" + cluster.value());
    this.thread.setDaemon(true);
  }

  /** Starts an unfenced writer for {@code cluster}; flush futures complete on a shared daemon pool. */
  public static CacheWriter start(Client client, ClusterName cluster, CacheWriterSettings settings) {
    return start(client, cluster, settings, WriterCallbacks.SHARED, Fence.unfenced());
  }

  /** Starts a writer for {@code cluster} whose every transaction is fenced by {@code fence}. */
  public static CacheWriter start(Client client, ClusterName cluster, CacheWriterSettings settings, Fence fence) {
    return start(client, cluster, settings, WriterCallbacks.SHARED, fence);
  }

  /** Starts an unfenced writer for {@code cluster}; flush futures complete on {@code callbacks}. */
  public static CacheWriter start(Client client, ClusterName cluster, CacheWriterSettings settings,
      Executor callbacks) {
    return start(client, cluster, settings, callbacks, Fence.unfenced());
  }

  private static CacheWriter start(Client client, ClusterName cluster, CacheWriterSettings settings,
      Executor callbacks, Fence fence) {
    CacheWriter writer = new CacheWriter(client, cluster, settings, callbacks, fence);
    writer.thread.start();
    LOG.info("cluster={} op=writer-start maxBatchOps={} capacity={} leaseTtl={}s keysPerLease={}", cluster,
        settings.maxBatchOps(), settings.capacity(), settings.leaseTtl().toSeconds(), settings.keysPerLease());
    return writer;
  }

  public ClusterName cluster() {
    return cluster;
  }

  /** The fence this writer's transactions carry (its markers use it too). */
  Fence fence() {
    return fence;
  }

  /**
   * Queues {@code key = value} (the bytes are copied). Blocks while the queue is full, at most the
   * configured put timeout.
   *
   * @throws WriteQueueFullException when the queue stayed full for the whole timeout
   * @throws CacheWriteException     when the writer is closed or the caller is interrupted
   */
  public void put(String key, byte[] value) {
    put(key, value, settings.putTimeout());
  }

  /** As {@link #put(String, byte[])} with an explicit timeout. */
  public void put(String key, byte[] value, Duration timeout) {
    Objects.requireNonNull(value, "value");
    submit(key, ByteSequence.from(value), timeout, false);
    putsSubmitted.incrementAndGet();
  }

  /** Queues the deletion of {@code key}; blocks like {@link #put(String, byte[])}. */
  public void delete(String key) {
    delete(key, settings.putTimeout());
  }

  /** As {@link #delete(String)} with an explicit timeout. */
  public void delete(String key, Duration timeout) {
    submit(key, null, timeout, false);
    deletesSubmitted.incrementAndGet();
  }

  /**
   * Completes when everything submitted before this call is in etcd (a key may then hold a newer
   * value submitted later, never an older one). Fails if the writer is closed first.
   */
  public CompletableFuture<Void> flush() {
    return queue.flush();
  }

  /** Waits until nothing is queued or in flight; false when {@code timeout} passed first. */
  public boolean awaitIdle(Duration timeout) {
    try {
      return queue.awaitIdle(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException("cluster=" + cluster + ": interrupted while waiting for the writer", e);
    }
  }

  public CacheWriterStats stats() {
    return new CacheWriterStats(putsSubmitted.get(), deletesSubmitted.get(), puts.get(), deletes.get(),
        batches.get(), retries.get(), coalesced.get(), skipped.get(), leases.granted(), leases.lost(),
        keysRewritten.get(), queue.size(), latency.percentileMillis(50), latency.percentileMillis(99), peakInFlight.get());
  }

  /**
   * Stops the writer thread and the lease keep-alives. Writes not yet committed are abandoned
   * (call {@link #flush()} first to keep them); leases are not revoked, so the keys stay readable
   * until a next life re-writes them or their TTL runs out.
   */
  @Override
  public void close() {
    if (queue.isClosed()) {
      return;
    }
    queue.close();
    try {
      thread.join(settings.requestTimeout().toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      thread.interrupt();
    }
    LOG.info("cluster={} op=writer-stop stats={}", cluster, stats());
  }

  // ---- package-private: markers, sweeper and tests -----------------------------------------

  /** A marker key (canary) from a callback: never blocks, replaces a pending value. */
  void putMarker(String key, byte[] value) {
    Optional<Accepted> how = queue.submitOverCapacity(key, ByteSequence.from(value), false);
    putsSubmitted.incrementAndGet();
    how.filter(a -> a == Accepted.COALESCED).ifPresent(a -> coalesced.incrementAndGet());
  }

  /**
   * Deletes {@code key} unless the session wants it (its latest submission is a put); decided and
   * queued atomically, so a key the session writes while a sweep runs is never swept.
   *
   * @return whether the delete was queued
   */
  boolean deleteIfUnwanted(String key) {
    Accepted how = submit(key, null, settings.putTimeout(), true);
    if (how == Accepted.STILL_WANTED) {
      return false;
    }
    deletesSubmitted.incrementAndGet();
    return true;
  }

  /** Test hook: the writer thread stops taking work (submissions still queue) until {@link #resume()}. */
  void pause() {
    queue.pause();
  }

  void resume() {
    queue.resume();
  }

  // ---- the writer thread --------------------------------------------------------------------

  private Accepted submit(String key, ByteSequence value, Duration timeout, boolean onlyIfUnwanted) {
    Objects.requireNonNull(key, "key");
    try {
      Accepted how = queue.submit(key, value, timeout, onlyIfUnwanted);
      if (how == Accepted.COALESCED) {
        coalesced.incrementAndGet();
      }
      return how;
    } catch (WriteQueueFullException full) {
      LOG.warn("cluster={} op=kv-submit result=queue-full capacity={} waitedMs={} key={}", cluster,
          settings.capacity(), timeout.toMillis(), key);
      throw full;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException("cluster=" + cluster + ": interrupted while waiting for room in the write queue", e);
    }
  }

  private void run() {
    try {
      while (!queue.isClosed()) {
        rewriteKeysOfLostLeases(this::inFlightKeys);
        settleFinished();
        if (inFlight.size() >= settings.maxInFlight()) {
          queue.awaitWake();
          continue;
        }
        Batch batch = queue.take(settings.maxBatchOps(), this::unchanged);
        if (batch == Batch.NONE) {
          continue;
        }
        skipped.addAndGet(batch.skipped());
        if (batch.isEmpty()) {
          queue.batchDone(batch);
        } else {
          send(batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (CacheWriteException closedMeanwhile) {
      // close() raced with a re-write; nothing left to do
    } finally {
      leases.close();
    }
  }

  /**
   * Puts {@code batch} on the wire without waiting for it: up to {@code maxInFlight} transactions
   * of one member are in flight at once (their keys are disjoint, see {@link WriteQueue}), so a
   * slow commit no longer holds every write queued behind it. The answer is handled on this thread
   * ({@link #settleFinished}); the callback only hands it over.
   */
  private void send(Batch batch) {
    Sent sent = new Sent(batch);
    inFlight.add(sent);
    peakInFlight.accumulateAndGet(inFlight.size(), Math::max);
    CompletableFuture<TxnResponse> commit;
    try {
      commit = kv.txn().If(fence.compares()).Then(operations(batch.writes())).commit();
    } catch (EtcdCallException | RuntimeException e) {
      commit = CompletableFuture.failedFuture(e);
    }
    commit.orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((response, error) -> {
      sent.finish(response, error);
      finished.add(sent);
      queue.wake();
    });
  }

  /** Handles every transaction that has finished, in whatever order they did. */
  private void settleFinished() throws InterruptedException {
    for (Sent sent = finished.poll(); sent != null; sent = finished.poll()) {
      List<Pending> writes = sent.batch.writes();
      if (sent.error == null && sent.response.isSucceeded()) {
        recordCommitted(writes);
        LOG.debug("cluster={} op=kv-batch ops={} revision={} attempt=1", cluster, writes.size(),
            sent.response.getHeader().getRevision());
      } else if (sent.error == null) {
        fenced(writes.size(), 1, new LeadershipLostException("etcd refused the fenced batch (the leader key changed)"));
      } else {
        // A failed transaction is retried here, alone and with back-off, before anything new is
        // sent: when etcd is down, the others in flight fail too and come through here in turn.
        retries.incrementAndGet();
        if (EtcdCalls.isLeaseNotFound(sent.error)) {
          leases.probe(leases.leasesOf(keysOf(writes)));
        }
        LOG.warn("cluster={} op=kv-batch ops={} attempt=1 result=error retry=true error=\"{}\"", cluster, writes.size(),
            EtcdCalls.unwrap(sent.error).getMessage());
        if (!queue.isClosed()) {
          commitUntilDone(writes, 2);
        }
      }
      long committed = System.nanoTime();
      for (Pending w : writes) {
        latency.record(committed - w.submittedNanos());
      }
      // Only now: while it is retried its keys are still in flight, so a lost lease's re-write
      // never queues their older values behind it.
      inFlight.remove(sent);
      queue.batchDone(sent.batch);
    }
  }

  private Set<String> inFlightKeys() {
    if (inFlight.isEmpty()) {
      return Set.of();
    }
    Set<String> keys = new HashSet<>();
    for (Sent sent : inFlight) {
      sent.batch.writes().forEach(p -> keys.add(p.key()));
    }
    return keys;
  }

  /** Leadership is gone: report it and stop, or, when already stopped, just note the late refusal. */
  private void fenced(int ops, int attempt, LeadershipLostException e) {
    if (queue.isClosed()) {
      // Stopped with the leader work; a batch already on the wire can still be refused late
      // (a partitioned leader's held write): recorded, nothing was written.
      LOG.info("cluster={} op=kv-batch ops={} attempt={} result=fenced writer=stopped reason=\"{}\"", cluster, ops,
          attempt, e.getMessage());
      return;
    }
    LOG.warn("cluster={} op=kv-batch ops={} attempt={} result=fenced action=stop-writer reason=\"{}\"", cluster,
        ops, attempt, e.getMessage());
    fence.refused("cluster=" + cluster + " kv-batch: " + e.getMessage());
    queue.close();
  }

  private static Set<String> keysOf(List<Pending> writes) {
    Set<String> keys = new HashSet<>();
    writes.forEach(p -> keys.add(p.key()));
    return keys;
  }

  /** Commits one batch that failed once, retrying with back-off until it lands or the writer is closed. */
  private void commitUntilDone(List<Pending> writes, int firstAttempt) throws InterruptedException {
    Set<String> keys = keysOf(writes);
    Backoff backoff = new Backoff(settings.retryInitial(), settings.retryMax());
    if (!queue.sleep(backoff.next())) {
      return;
    }
    for (int attempt = firstAttempt; ; attempt++) {
      // Every batch in flight, this one included: re-writing a key another batch is sending would
      // queue its older value to land after the newer one.
      rewriteKeysOfLostLeases(this::inFlightKeys);
      try {
        TxnResponse response = EtcdCalls.await(kv.txn().If(fence.compares()).Then(operations(writes)).commit(),
            settings.requestTimeout());
        if (!response.isSucceeded()) {
          throw new LeadershipLostException("etcd refused the fenced batch (the leader key changed)");
        }
        recordCommitted(writes);
        LOG.debug("cluster={} op=kv-batch ops={} revision={} attempt={}", cluster, writes.size(),
            response.getHeader().getRevision(), attempt);
        return;
      } catch (LeadershipLostException e) {
        fenced(writes.size(), attempt, e);
        return;
      } catch (EtcdCallException | RuntimeException e) {
        if (queue.isClosed()) {
          return;
        }
        retries.incrementAndGet();
        if (EtcdCalls.isLeaseNotFound(e)) {
          leases.probe(leases.leasesOf(keys));
        }
        Duration delay = backoff.next();
        LOG.warn("cluster={} op=kv-batch ops={} attempt={} result=error retryInMs={} error=\"{}\"", cluster,
            writes.size(), attempt, delay.toMillis(), e.getMessage());
        if (!queue.sleep(delay)) {
          return;
        }
      }
    }
  }

  /** One transaction on the wire: its batch, and once it finished, the answer or the error. */
  private static final class Sent {
    final Batch batch;
    volatile TxnResponse response;
    volatile Throwable error;

    Sent(Batch batch) {
      this.batch = batch;
    }

    void finish(TxnResponse r, Throwable e) {
      this.response = r;
      this.error = e;
    }
  }

  /** The transaction's operations; leases are picked per attempt, since one may have been lost. */
  private Op[] operations(List<Pending> writes) throws EtcdCallException {
    Op[] ops = new Op[writes.size()];
    for (int i = 0; i < ops.length; i++) {
      Pending p = writes.get(i);
      ByteSequence key = EtcdCalls.bytes(p.key());
      ops[i] = p.isPut()
          ? Op.put(key, p.value(), PutOption.builder().withLeaseId(leases.leaseFor(p.key())).build())
          : Op.delete(key, DeleteOption.DEFAULT);
    }
    return ops;
  }

  private void recordCommitted(List<Pending> writes) {
    for (Pending p : writes) {
      if (p.isPut()) {
        written.put(p.key(), p.value());
        puts.incrementAndGet();
      } else {
        written.remove(p.key());
        leases.release(p.key());
        deletes.incrementAndGet();
      }
    }
    batches.incrementAndGet();
  }

  /** Same bytes as this writer last committed, on a lease still alive: etcd already has it. */
  private boolean unchanged(Pending p) {
    return p.isPut() && p.value().equals(written.get(p.key())) && leases.hasLiveLease(p.key());
  }

  /**
   * Re-queues the keys of every lease reported lost, with their last written values. Keys of the
   * batches in flight are left out: they write them anyway (a batch refused for its lost lease is
   * retried on a fresh one).
   */
  private void rewriteKeysOfLostLeases(Supplier<Set<String>> inFlightKeys) {
    List<LostLease> lost = leases.pollLost();
    if (lost.isEmpty()) {
      return;
    }
    Set<String> inFlight = inFlightKeys.get();
    for (LostLease loss : lost) {
      int queued = 0;
      for (String key : leases.drop(loss)) {
        if (inFlight.contains(key)) {
          continue;
        }
        ByteSequence value = written.remove(key);
        if (value != null && queue.submitOverCapacity(key, value, true).isPresent()) {
          queued++;
        }
      }
      keysRewritten.addAndGet(queued);
      LOG.info("cluster={} op=lease-rewrite lease={} keysQueued={}", cluster, LeasePool.hex(loss.id()), queued);
    }
  }
}
