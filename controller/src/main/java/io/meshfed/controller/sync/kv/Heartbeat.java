package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.Client;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import io.meshfed.controller.election.Fence;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code cilium/.heartbeat}: one for the whole mesh, an RFC 3339 timestamp rewritten every
 * {@code heartbeatInterval} (30 s by default) under its own lease. An agent connected to the mesh
 * etcd reconnects when it sees no update for 2 minutes (spec 1.5 item 7), so the heartbeat is what
 * tells every member's agents that the mesh etcd is being written.
 */
public final class Heartbeat implements AutoCloseable {
  private final LeasedKey key;

  private Heartbeat(LeasedKey key) {
    this.key = key;
  }

  /** Starts writing the heartbeat, unfenced, on {@code scheduler}; see {@link #firstWrite()}. */
  public static Heartbeat start(Client client, MarkerSettings settings, ScheduledExecutorService scheduler,
      Clock clock) {
    return start(client, settings, scheduler, clock, Fence.unfenced());
  }

  /** Starts writing the heartbeat on {@code scheduler}, every put behind {@code fence}. */
  public static Heartbeat start(Client client, MarkerSettings settings, ScheduledExecutorService scheduler,
      Clock clock, Fence fence) {
    LeasedKey key = new LeasedKey(client, CacheKeys.heartbeat(),
        () -> KvstoreTimestamps.format(clock.instant()).getBytes(StandardCharsets.US_ASCII), settings.leaseTtl(),
        settings.heartbeatInterval(), settings.requestTimeout(), scheduler, "-", "heartbeat", fence);
    Heartbeat heartbeat = new Heartbeat(key);
    key.start();
    return heartbeat;
  }

  /** Completes once the heartbeat was written the first time. */
  public CompletableFuture<Void> firstWrite() {
    return key.firstWrite();
  }

  /** The lease the heartbeat is written with now (0 before the first grant). */
  public long leaseId() {
    return key.leaseId();
  }

  /** Stops rewriting; the last value stays until its lease expires. */
  @Override
  public void close() {
    key.close();
  }
}
