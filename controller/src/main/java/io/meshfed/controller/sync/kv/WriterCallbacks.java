package io.meshfed.controller.sync.kv;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where {@link CacheWriter} completes flush futures by default: a shared pool of daemon threads
 * that grows on demand. Not the common ForkJoinPool: on a 2-core machine it has one worker, and a
 * caller's continuation that blocks (a put waiting for room) would hold up every other writer's
 * flushes. Not the writer thread either: a continuation must never stall the writes.
 */
final class WriterCallbacks {
  private static final AtomicInteger THREADS = new AtomicInteger();
  static final ExecutorService SHARED = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "meshfed-kv-callback-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private WriterCallbacks() {
  }
}
