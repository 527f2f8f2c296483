package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The pending writes of one {@link CacheWriter}: at most one entry per key (a newer put or delete
 * replaces the older in place, so a hot key neither grows the queue nor loses its turn), bounded
 * by {@code capacity} keys, drained in first-submitted order by the single writer thread.
 *
 * <p><b>Batches in flight.</b> The writer may have several batches on the wire at once. Order
 * matters only per key, so {@link #take} never hands out an entry whose key is in a batch still in
 * flight: that entry keeps its place (and its newest value) until the batch is {@linkplain
 * #batchDone done}. Two writes of one key are therefore never in flight together, and etcd applies
 * them in submission order whatever order the transactions commit in.
 *
 * <p><b>Flush barriers.</b> Every entry carries the generation in which its key was first queued;
 * {@link #flush()} closes the current generation and completes once no entry of it (or older) is
 * pending or in flight. Coalescing keeps an entry's generation and position, so generations only
 * grow from head to tail; the oldest outstanding one is the smallest first generation of the
 * batches in flight or the head of the queue. A flushed key may hold a value newer than the one
 * submitted before the flush, never an older one.
 *
 * <p>All state is guarded by one lock; producers block on {@code notFull}, the writer thread on
 * {@code work}. Futures are completed on the callback executor, never on the writer thread, so a
 * caller's continuation cannot stall the writes.
 */
final class WriteQueue {
  private static final long NONE = Long.MAX_VALUE;

  /** How a submission was taken. */
  enum Accepted {
    /** A new entry: the key had nothing pending. */
    QUEUED,
    /** Replaced the pending entry of the same key (only the latest value is written). */
    COALESCED,
    /** A conditional delete that was not queued because the key is (again) wanted. */
    STILL_WANTED
  }

  /** One pending write: a put when {@code value} is present, a delete otherwise. */
  record Pending(String key, ByteSequence value, long generation, long submittedNanos) {
    boolean isPut() {
      return value != null;
    }
  }

  /**
   * What the writer takes in one go: the writes to send and how many were dropped as unchanged.
   * Until {@link #batchDone} is called with it, its keys are in flight.
   */
  record Batch(long id, List<Pending> writes, int skipped) {
    static final Batch NONE = new Batch(-1, List.of(), 0);

    boolean isEmpty() {
      return writes.isEmpty();
    }
  }

  private final String cluster;
  private final int capacity;
  private final Executor callbacks;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final Condition work = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
  /** Keys whose latest submission is a put: what the session wants to exist in etcd. */
  private final Set<String> wanted = new HashSet<>();
  private final TreeMap<Long, List<CompletableFuture<Void>>> flushWaiters = new TreeMap<>();
  /** Keys of the batches in flight: {@link #take} leaves their pending entries in place. */
  private final Set<String> inFlightKeys = new HashSet<>();
  /** Batch id to the generation of its first (oldest) entry, for the batches in flight. */
  private final Map<Long, Long> inFlightGenerations = new HashMap<>();
  private long generation;
  private long nextBatchId;
  private boolean paused;
  private boolean wakeRequested;
  private boolean closed;

  WriteQueue(String cluster, int capacity, Executor callbacks) {
    this.cluster = cluster;
    this.capacity = capacity;
    this.callbacks = callbacks;
  }

  /**
   * Queues a put ({@code value} present) or a delete. Replacing a pending entry of the same key
   * never blocks; a new key waits while the queue is full, at most {@code timeout}.
   *
   * @param onlyIfUnwanted a delete that is dropped when the key is wanted (see {@link #wanted})
   * @throws WriteQueueFullException when the queue stayed full for {@code timeout}
   * @throws InterruptedException    when the caller is interrupted while waiting
   */
  Accepted submit(String key, ByteSequence value, Duration timeout, boolean onlyIfUnwanted)
      throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (true) {
        ensureOpen();
        if (onlyIfUnwanted && wanted.contains(key)) {
          return Accepted.STILL_WANTED;
        }
        Pending existing = pending.get(key);
        if (existing != null) {
          pending.put(key, new Pending(key, value, existing.generation(), existing.submittedNanos()));
          track(key, value);
          return Accepted.COALESCED;
        }
        if (pending.size() < capacity) {
          pending.put(key, new Pending(key, value, generation, System.nanoTime()));
          track(key, value);
          work.signal();
          return Accepted.QUEUED;
        }
        if (remaining <= 0) {
          throw new WriteQueueFullException(cluster, key, capacity, timeout);
        }
        remaining = notFull.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a put beyond the capacity; never blocks. For the writer thread, which re-writes the keys
   * of a lost lease and must never wait on its own queue ({@code rewrite}: skipped when anything
   * newer for the key is pending), and for the few marker keys written from callbacks (replaces a
   * pending entry like {@link #submit}). The excess is bounded by the keys of one lease.
   *
   * @return how the put was taken, or empty when a rewrite found something newer pending
   */
  Optional<Accepted> submitOverCapacity(String key, ByteSequence value, boolean rewrite) {
    lock.lock();
    try {
      ensureOpen();
      Pending existing = pending.get(key);
      if (existing != null) {
        if (rewrite) {
          return Optional.empty();
        }
        pending.put(key, new Pending(key, value, existing.generation(), existing.submittedNanos()));
        wanted.add(key);
        return Optional.of(Accepted.COALESCED);
      }
      pending.put(key, new Pending(key, value, generation, System.nanoTime()));
      if (!rewrite) {
        wanted.add(key);
      }
      work.signal();
      return Optional.of(Accepted.QUEUED);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for work and takes up to {@code max} writes from the head, skipping entries whose key is
   * in flight and dropping those {@code unchanged} says need not be written (they count as done).
   * Returns {@link Batch#NONE} when woken for other reasons (a finished transaction, a lost lease,
   * close, pause). A non-empty batch (or one of only unchanged entries) is in flight until
   * {@link #batchDone}.
   */
  Batch take(int max, Predicate<Pending> unchanged) throws InterruptedException {
    lock.lock();
    try {
      while (!closed && !wakeRequested && (paused || !hasTakeable())) {
        work.await();
      }
      wakeRequested = false;
      if (closed || paused || !hasTakeable()) {
        return Batch.NONE;
      }
      List<Pending> writes = new ArrayList<>(Math.min(max, pending.size()));
      int skipped = 0;
      long oldest = NONE;
      Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
      while (it.hasNext() && writes.size() < max) {
        Pending p = it.next().getValue();
        if (inFlightKeys.contains(p.key())) {
          continue;
        }
        it.remove();
        oldest = Math.min(oldest, p.generation());
        if (unchanged.test(p)) {
          skipped++;
        } else {
          writes.add(p);
          inFlightKeys.add(p.key());
        }
      }
      long id = nextBatchId++;
      inFlightGenerations.put(id, oldest);
      notFull.signalAll();
      return new Batch(id, List.copyOf(writes), skipped);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@link #wake} is called (a transaction finished) or the queue closes; for a writer
   * with as many batches in flight as it may have.
   */
  void awaitWake() throws InterruptedException {
    lock.lock();
    try {
      while (!closed && !wakeRequested) {
        work.await();
      }
      wakeRequested = false;
    } finally {
      lock.unlock();
    }
  }

  /** {@code batch} is in etcd (or abandoned at close): its keys may be taken again. */
  void batchDone(Batch batch) {
    lock.lock();
    try {
      if (inFlightGenerations.remove(batch.id()) == null) {
        return;
      }
      for (Pending p : batch.writes()) {
        inFlightKeys.remove(p.key());
      }
      settleFlushes();
      // Entries held back because their key was in flight may be taken now.
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Batches taken and not yet done. */
  int inFlight() {
    lock.lock();
    try {
      return inFlightGenerations.size();
    } finally {
      lock.unlock();
    }
  }

  /** Completes when everything submitted before this call is in etcd. */
  CompletableFuture<Void> flush() {
    lock.lock();
    try {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (closed) {
        done.completeExceptionally(new CacheWriteException("cluster=" + cluster + ": the writer is closed"));
        return done;
      }
      if (oldestOutstanding() > generation) {
        done.complete(null);
        return done;
      }
      flushWaiters.computeIfAbsent(generation, g -> new ArrayList<>()).add(done);
      generation++;
      return done;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until nothing is pending or in flight; false on timeout. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!closed && !(pending.isEmpty() && inFlightGenerations.isEmpty())) {
        if (remaining <= 0) {
          return false;
        }
        remaining = idle.awaitNanos(remaining);
      }
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the session wants {@code key} to exist: its latest submission was a put. */
  boolean wanted(String key) {
    lock.lock();
    try {
      return wanted.contains(key);
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** Makes a waiting {@link #take} return, so the writer handles an event (a lost lease). */
  void wake() {
    lock.lock();
    try {
      wakeRequested = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sleeps for a retry back-off; returns early (false) when closed. Not woken by new work: the
   * batch being retried must go first, or a later write of the same key could be overtaken.
   */
  boolean sleep(Duration delay) throws InterruptedException {
    long remaining = delay.toNanos();
    lock.lock();
    try {
      while (!closed && remaining > 0) {
        remaining = work.awaitNanos(remaining);
      }
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  void pause() {
    lock.lock();
    try {
      paused = true;
    } finally {
      lock.unlock();
    }
  }

  void resume() {
    lock.lock();
    try {
      paused = false;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses further submissions, wakes every waiter and fails pending flushes. */
  void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      CacheWriteException gone = new CacheWriteException("cluster=" + cluster + ": the writer was closed before "
          + "the flush completed (" + (pending.size() + inFlightKeys.size()) + " writes left)");
      flushWaiters.values().forEach(list -> list.forEach(f -> callbacks.execute(() -> f.completeExceptionally(gone))));
      flushWaiters.clear();
      work.signalAll();
      notFull.signalAll();
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void track(String key, ByteSequence value) {
    if (value != null) {
      wanted.add(key);
    } else {
      wanted.remove(key);
    }
  }

  private long oldestOutstanding() {
    long oldest = pending.isEmpty() ? NONE : pending.values().iterator().next().generation();
    for (long g : inFlightGenerations.values()) {
      oldest = Math.min(oldest, g);
    }
    return oldest;
  }

  /** Whether some pending entry's key is not in flight. Lock held; stops at the first such entry. */
  private boolean hasTakeable() {
    if (inFlightKeys.isEmpty()) {
      return !pending.isEmpty();
    }
    for (String key : pending.keySet()) {
      if (!inFlightKeys.contains(key)) {
        return true;
      }
    }
    return false;
  }

  /** Completes the flushes whose generation is fully written; signals idleness. Lock held. */
  private void settleFlushes() {
    long oldest = oldestOutstanding();
    while (!flushWaiters.isEmpty() && flushWaiters.firstKey() < oldest) {
      for (CompletableFuture<Void> f : flushWaiters.pollFirstEntry().getValue()) {
        f.completeAsync(() -> null, callbacks);
      }
    }
    if (oldest == NONE) {
      idle.signalAll();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new CacheWriteException("cluster=" + cluster + ": the writer is closed");
    }
  }
}
