package io.meshfed.controller.sync;

import io.meshfed.api.kvstore.CacheType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/v1/clusters/{name}/sync} shows of one member's sync: per type whether the
 * initial list is in etcd (canary written), how many keys, how many objects were refused or
 * skipped, the most recent refusals with their reasons, and whether the member is reachable.
 */
public final class SyncStatus {
  private static final int RECENT_REFUSALS = 50;

  private final String cluster;
  private final Clock clock;
  private final Map<CacheType, TypeState> types = new EnumMap<>(CacheType.class);
  private final Deque<Refusal> recent = new ArrayDeque<>();
  private volatile boolean reachable;
  private volatile String lastError;
  private volatile Instant lastErrorAt;

  public SyncStatus(String cluster, Clock clock) {
    this.cluster = cluster;
    this.clock = clock;
    for (CacheType t : List.of(CacheType.IDENTITIES, CacheType.IP, CacheType.NODES, CacheType.SERVICES)) {
      types.put(t, new TypeState());
    }
  }

  /** One refused object and why. */
  public record Refusal(String type, String object, String reason, Instant at) {}

  private static final class TypeState {
    boolean synced;
    Instant syncedAt;
    long keys;
    long objects;
    long refused;
    long skipped;
    long missedEvents;
  }

  private volatile Instant lastAudit;

  /** An audit compared the member's listing with the caches. */
  public void audited(Instant at) {
    lastAudit = at;
  }

  /** Events a watch never delivered, found by the audit (the session lists again). */
  public synchronized void missedEvents(CacheType type, long n) {
    types.get(type).missedEvents += n;
  }

  public synchronized long missedEvents(CacheType type) {
    return types.get(type).missedEvents;
  }

  public synchronized void synced(CacheType type, long keys) {
    TypeState s = types.get(type);
    s.synced = true;
    s.syncedAt = clock.instant();
    s.keys = keys;
  }

  public synchronized void keys(CacheType type, long keys) {
    types.get(type).keys = keys;
  }

  /** Keys in etcd and the member objects that wrote them (an endpoint writes one key per address). */
  public synchronized void keys(CacheType type, long keys, long objects) {
    TypeState s = types.get(type);
    s.keys = keys;
    s.objects = objects;
  }

  /** One type at a glance, for health. */
  public record TypeSnapshot(boolean synced, long objects, long keys, long refused, long skipped) {}

  public synchronized TypeSnapshot snapshot(CacheType type) {
    TypeState s = types.get(type);
    return new TypeSnapshot(s.synced, s.objects, s.keys, s.refused, s.skipped);
  }

  public boolean reachable() {
    return reachable;
  }

  public String lastError() {
    return lastError;
  }

  public synchronized void refused(CacheType type, String object, String reason) {
    types.get(type).refused++;
    recent.addFirst(new Refusal(type.name().toLowerCase(java.util.Locale.ROOT), object, reason, clock.instant()));
    while (recent.size() > RECENT_REFUSALS) {
      recent.removeLast();
    }
  }

  public synchronized void skipped(CacheType type) {
    types.get(type).skipped++;
  }

  public void reachable(boolean value) {
    reachable = value;
  }

  public void error(String message) {
    lastError = message;
    lastErrorAt = clock.instant();
  }

  public synchronized boolean synced(CacheType type) {
    return types.get(type).synced;
  }

  public synchronized long refusedCount(CacheType type) {
    return types.get(type).refused;
  }

  /** A JSON-ready snapshot. */
  public synchronized Map<String, Object> view() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cluster", cluster);
    out.put("reachable", reachable);
    Map<String, Object> perType = new LinkedHashMap<>();
    types.forEach((t, s) -> {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("synced", s.synced);
      v.put("syncedAt", s.syncedAt == null ? null : s.syncedAt.toString());
      v.put("keys", s.keys);
      v.put("objects", s.objects);
      v.put("refused", s.refused);
      v.put("skipped", s.skipped);
      v.put("missedEvents", s.missedEvents);
      perType.put(t.name().toLowerCase(java.util.Locale.ROOT), v);
    });
    out.put("types", perType);
    out.put("recentRefusals", new ArrayList<>(recent));
    out.put("lastAudit", lastAudit == null ? null : lastAudit.toString());
    if (lastError != null) {
      out.put("lastError", lastError);
      out.put("lastErrorAt", lastErrorAt.toString());
    }
    return out;
  }
}
