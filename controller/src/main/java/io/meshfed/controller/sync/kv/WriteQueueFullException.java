package io.meshfed.controller.sync.kv;

import java.time.Duration;

/**
 * Backpressure that lasted too long: the member's write queue stayed full for the whole put
 * timeout, i.e. etcd is slower (or down) than the member's rate of change. The update was NOT
 * accepted; the caller keeps it (an informer resync will offer it again).
 */
public final class WriteQueueFullException extends CacheWriteException {
  private static final long serialVersionUID = 1L;

  private final String cluster;
  private final String key;

  WriteQueueFullException(String cluster, String key, int capacity, Duration waited) {
    super("cluster=" + cluster + ": the etcd write queue stayed full (" + capacity + " keys waiting) for "
        + waited.toMillis() + " ms; etcd is slower than this member's changes or unreachable; key " + key
        + " was not accepted");
    this.cluster = cluster;
    this.key = key;
  }

  public String cluster() {
    return cluster;
  }

  public String key() {
    return key;
  }
}
