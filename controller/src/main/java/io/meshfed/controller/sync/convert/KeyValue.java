package io.meshfed.controller.sync.convert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One etcd key and the exact bytes to store under it.
 *
 * <p>Equality is by content (a plain record would compare the array by identity), so a sync
 * session can skip a write whose bytes did not change. The bytes are copied in and out: a
 * caller cannot change a value after it was converted.
 *
 * @param key   the full etcd key, e.g. {@code cilium/cache/nodes/v1/c1/node-1}
 * @param value the value bytes (label string or Go-identical JSON)
 */
public record KeyValue(String key, byte[] value) {

  /** Requires both parts and keeps a private copy of the bytes. */
  public KeyValue {
    Objects.requireNonNull(key, "key");
    value = Objects.requireNonNull(value, "value").clone();
  }

  /** A copy of the value bytes. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The value as UTF-8 text, for logs and tests. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyValue that && key.equals(that.key) && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return key + " = " + valueAsString();
  }
}
