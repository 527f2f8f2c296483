package io.meshfed.controller.sync;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.sync.convert.Conversion;
import io.meshfed.controller.sync.convert.KeyValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors one kind of member object into etcd: each add or update is converted and written, the
 * keys the object no longer produces are deleted, a delete removes all its keys. A refused object
 * writes nothing (and loses what an earlier version of it wrote), is counted and shown with its
 * reason in the member's sync status.
 */
abstract class KindSync<T extends HasMetadata> implements ResourceEventHandler<T> {
  private static final Logger LOG = LoggerFactory.getLogger(KindSync.class);

  protected final String cluster;
  protected final CacheType type;
  protected final CacheSink sink;
  protected final SyncStatus status;
  private final KeyTracker tracker = new KeyTracker();
  /**
   * The resourceVersion each object had when it was last applied. At start every object arrives at
   * least twice (the informer's add event and the re-apply of the listed store before the sweep;
   * a third time from an API server whose watch replays the list, as the fabric8 mock's did):
   * converting it again would cost the same CPU for a result already written, so a version seen
   * before is skipped.
   */
  private final java.util.Map<String, String> appliedVersions = new java.util.HashMap<>();

  KindSync(String cluster, CacheType type, CacheSink sink, SyncStatus status) {
    this.cluster = cluster;
    this.type = type;
    this.sink = sink;
    this.status = status;
  }

  /** Converts an object to what it should be in etcd. */
  protected abstract Conversion convert(T object);

  /** Accepts or refuses each entry before it is written (IP ownership for endpoints). */
  protected List<KeyValue> admit(String object, List<KeyValue> entries) {
    return entries;
  }

  /** Called when keys an object had are deleted (release IP ownership). */
  protected void released(String object, Set<String> keys) {}

  static String id(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return (ns == null || ns.isEmpty() ? "" : ns + "/") + o.getMetadata().getName();
  }

  @Override
  public void onAdd(T obj) {
    apply(obj);
  }

  @Override
  public void onUpdate(T oldObj, T newObj) {
    apply(newObj);
  }

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    remove(id(obj));
  }

  /** The version that identifies this object's content, or {@code null} to always convert it. */
  protected String version(T obj) {
    return obj.getMetadata().getResourceVersion();
  }

  synchronized void apply(T obj) {
    String version = version(obj);
    if (version != null && version.equals(appliedVersions.get(id(obj)))) {
      return;
    }
    applyNow(obj);
  }

  /** Each object applied and the resourceVersion it had: what the audit compares with the member's listing. */
  synchronized Map<String, String> appliedVersions() {
    return new HashMap<>(appliedVersions);
  }

  /** Converts and writes {@code obj} even if this version was applied before (its inputs changed). */
  synchronized void applyNow(T obj) {
    String object = id(obj);
    applyConverted(obj, object);
    // Recorded only once written: an apply that failed (etcd queue full) is retried by the audit.
    appliedVersions.put(object, obj.getMetadata().getResourceVersion());
  }

  private void applyConverted(T obj, String object) {
    Conversion c;
    try {
      c = convert(obj);
    } catch (RuntimeException e) {
      c = Conversion.Refused.of(io.meshfed.api.cluster.Finding.of("object", "could not be converted: " + e.getMessage()));
    }
    if (c instanceof Conversion.Entries e) {
      List<KeyValue> admitted = admit(object, e.entries());
      Set<String> keys = new HashSet<>();
      for (KeyValue kv : admitted) {
        sink.put(kv.key(), kv.value());
        keys.add(kv.key());
      }
      List<String> gone = tracker.replace(object, keys);
      deleteAll(object, Set.copyOf(gone));
    } else if (c instanceof Conversion.NotExported n) {
      Set<String> had = tracker.remove(object);
      deleteAll(object, had);
      if (!had.contains(n.key())) {
        sink.delete(n.key());
      }
    } else if (c instanceof Conversion.Skipped) {
      status.skipped(type);
      deleteAll(object, tracker.remove(object));
    } else if (c instanceof Conversion.Refused r) {
      status.refused(type, object, r.summary());
      LOG.warn("cluster={} op=sync.refuse type={} object={} reason=\"{}\"", cluster, type.name().toLowerCase(java.util.Locale.ROOT), object, r.summary());
      deleteAll(object, tracker.remove(object));
    }
    status.keys(type, tracker.size(), tracker.objects());
  }

  synchronized void remove(String object) {
    appliedVersions.remove(object);
    deleteAll(object, tracker.remove(object));
    status.keys(type, tracker.size(), tracker.objects());
  }

  private void deleteAll(String object, Set<String> keys) {
    for (String k : keys) {
      sink.delete(k);
    }
    if (!keys.isEmpty()) {
      released(object, keys);
    }
  }

  /** After the initial list: flush, delete what an earlier life left, write the canary. */
  synchronized void initialListDone() {
    sink.flush();
    int swept = sink.sweep(type, tracker.allKeys());
    sink.canary(type);
    status.synced(type, tracker.size());
    status.keys(type, tracker.size(), tracker.objects());
    LOG.info("cluster={} op=sync.initial type={} keys={} sweptStale={}", cluster, type.name().toLowerCase(java.util.Locale.ROOT), tracker.size(), swept);
  }
}
