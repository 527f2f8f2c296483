package io.meshfed.controller.policy.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshfed.controller.policy.Canonical;
import io.meshfed.controller.policy.JsonDiff;
import io.meshfed.controller.policy.MeshPolicy;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.PolicyKind;
import io.meshfed.controller.policy.store.PolicyEventRecord;
import io.meshfed.controller.policy.store.PolicyState;
import io.meshfed.controller.policy.store.PolicyStatusRecord;
import io.meshfed.controller.policy.store.PolicyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of one member: makes the member's managed CNPs and CCNPs equal to the mesh's,
 * watches them for drift, and keeps their status.
 *
 * <p><b>Work queue.</b> Requests (a policy changed, a drift event, the periodic resync, a retry
 * that is due) mark keys dirty or ask for a full pass; one pass runs at a time for a member, on the
 * shared worker pool, so members progress independently and a member that is down costs its own
 * retries only. A pass reads the member's managed objects from its informers (or, while they are
 * not watching, from one list call), then for every key: create, update, leave alone or delete.
 *
 * <p><b>Ownership.</b> Only objects labelled {@code app.kubernetes.io/managed-by=meshfed} are
 * updated or deleted. A create that finds an object of that name without the label leaves it
 * alone and reports the policy Failed in this member.
 *
 * <p><b>Drift.</b> An object is a faithful copy when the hash of its content equals its
 * {@code meshfed.io/hash} annotation (or the form this member stored our last write in, should it
 * have defaulted something). A copy that is not faithful was edited in the member; a policy meshfed
 * applied here that is gone was deleted in the member. Both are restored, and the restore (only a
 * write that succeeded) records an audit event. A faithful copy of an older generation is simply
 * rolled forward, so informer events of meshfed's own writes, or stale ones, never count as drift.
 */
final class MemberRollout implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MemberRollout.class);
  private static final KubernetesSerialization SERIAL = new KubernetesSerialization();
  private static final Duration RESTART_DELAY = Duration.ofSeconds(2);
  private static final int MAX_FIELDS = 50;
  private static final int MAX_DEPTH = 3;

  final String cluster;
  final Instant credentialExpiry;
  private volatile Map<String, String> labels;
  private final Supplier<KubernetesClient> clients;
  private java.util.function.BooleanSupplier leaving = () -> false;
  private final PolicyCatalog catalog;
  private final PolicyStore store;
  private final Clock clock;
  private final RolloutSettings settings;
  private final ScheduledExecutorService executor;
  private final DoubleSupplier random;

  private volatile KubernetesClient client;
  private final Map<PolicyKind, SharedIndexInformer<GenericKubernetesResource>> informers = new EnumMap<>(PolicyKind.class);
  private volatile boolean closed;

  private final Object lock = new Object();
  private final Set<PolicyKey> dirty = new HashSet<>();
  private boolean fullRequested;
  private boolean running;
  private ScheduledFuture<?> timer;
  private Instant timerAt;

  // Touched by passes only (one at a time).
  private final Map<PolicyKey, Item> items = new HashMap<>();
  private boolean statusesLoaded;
  private int memberFailures;
  private int passFailures;
  /** Content hashes this member stored our last write of a policy as, when they differ from ours. */
  private final Map<PolicyKey, String> memberForms = new ConcurrentHashMap<>();
  /**
   * Objects known to be a faithful copy of a generation, by resourceVersion: a pass or an informer
   * event for the same resourceVersion needs no hashing (200 policies x 20 members every resync).
   */
  private final Map<PolicyKey, Verified> verified = new ConcurrentHashMap<>();

  private record Verified(String resourceVersion, long generation, String hash) {
    boolean matches(GenericKubernetesResource o, MeshPolicy p) {
      String rv = o.getMetadata() == null ? null : o.getMetadata().getResourceVersion();
      return rv != null && rv.equals(resourceVersion) && generation == p.generation() && hash.equals(p.contentHash());
    }
  }

  /** What a pass knows of one policy in this member. */
  private static final class Item {
    PolicyStatusRecord persisted;
    PolicyStatusRecord current;
    int failures;
    Instant notBefore;
    long failedGeneration;
    /** A drift being restored (null: none); reported once as "not restored" if the restore fails. */
    Drift drift;
    boolean driftReported;
  }

  /** What was found changed in the member. */
  private record Drift(String change, List<String> fields, List<String> who) {}

  MemberRollout(String cluster, Map<String, String> labels, Instant credentialExpiry, Supplier<KubernetesClient> clients,
      PolicyCatalog catalog, PolicyStore store, Clock clock, RolloutSettings settings, ScheduledExecutorService executor,
      DoubleSupplier random) {
    this.cluster = cluster;
    this.labels = Map.copyOf(labels);
    this.credentialExpiry = credentialExpiry;
    this.clients = clients;
    this.catalog = catalog;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.executor = executor;
    this.random = random;
  }

  /**
   * Asked before every create or update in the member: true once its leave has started (on any
   * replica), so neither a push nor a drift restore undoes the leave's prune.
   */
  MemberRollout withLeaving(java.util.function.BooleanSupplier isLeaving) {
    this.leaving = isLeaving;
    return this;
  }

  /** Thrown before a write to a member whose leave has started; ends the pass without a status change. */
  private static final class MemberLeaving extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MemberLeaving() {
      super("member is leaving", null, false, false);
    }
  }

  private void writable() {
    if (leaving.getAsBoolean()) {
      throw new MemberLeaving();
    }
  }

  void labels(Map<String, String> labels) {
    this.labels = Map.copyOf(labels);
  }

  /** Connects, starts the informers and queues a full pass; returns at once. */
  void start() {
    client = clients.get();
    for (PolicyKind kind : PolicyKind.values()) {
      startInformer(kind);
    }
    request(List.of(), true);
    LOG.info("cluster={} op=policy.member.start", cluster);
  }

  // ---- queue ---------------------------------------------------------------------------------

  /** Queues the keys (or a full pass) and runs a pass unless one is running (which then runs another). */
  void request(Collection<PolicyKey> keys, boolean full) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (full) {
        fullRequested = true;
      } else {
        dirty.addAll(keys);
      }
      if (!running) {
        running = true;
        executor.execute(this::runPass);
      }
    }
  }

  private void runPass() {
    Set<PolicyKey> keys;
    boolean full;
    synchronized (lock) {
      if (closed) {
        running = false;
        return;
      }
      full = fullRequested;
      keys = new HashSet<>(dirty);
      dirty.clear();
      fullRequested = false;
    }
    Instant retryAt = null;
    try {
      retryAt = pass(full ? null : keys);
      passFailures = 0;
    } catch (RuntimeException e) {
      passFailures++;
      retryAt = clock.instant().plus(settings.retry().delay(passFailures, random));
      LOG.warn("cluster={} op=policy.pass failed=\"{}\" retryAt={}", cluster, e.getMessage(), retryAt, e);
    } finally {
      synchronized (lock) {
        if (closed) {
          running = false;
        } else if (fullRequested || !dirty.isEmpty()) {
          executor.execute(this::runPass);
        } else {
          running = false;
          if (retryAt != null) {
            retryAtLocked(retryAt);
          }
        }
      }
    }
  }

  /** A full pass at {@code at}, unless one is already due earlier. */
  private void retryAtLocked(Instant at) {
    if (timer != null && !timer.isDone() && timerAt != null && !timerAt.isAfter(at)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
    timerAt = at;
    timer = executor.schedule(() -> request(List.of(), true), delay, TimeUnit.MILLISECONDS);
  }

  // ---- a pass --------------------------------------------------------------------------------

  /** One pass over {@code only} (null: everything); returns when the next retry is due, if any. */
  private Instant pass(Set<PolicyKey> only) {
    PolicyCatalog.Snapshot snap = catalog.snapshot();
    if (!snap.loaded()) {
      return clock.instant().plusSeconds(1);
    }
    if (!statusesLoaded) {
      for (PolicyStatusRecord s : store.statuses(cluster)) {
        try {
          Item item = new Item();
          item.persisted = s;
          item.current = s;
          items.put(PolicyKey.parseId(s.policy()), item);
        } catch (IllegalArgumentException e) {
          LOG.warn("cluster={} op=policy.status unreadableKey={}", cluster, s.policy());
        }
      }
      statusesLoaded = true;
    }
    Map<String, String> labels = this.labels;
    Map<PolicyKey, GenericKubernetesResource> observed;
    try {
      observed = observe();
    } catch (RuntimeException e) {
      return unavailable(snap, labels, only, e);
    }
    Set<PolicyKey> targets = new TreeSet<>();
    if (only == null) {
      for (Map.Entry<PolicyKey, PolicyCatalog.Entry> e : snap.entries().entrySet()) {
        if (e.getValue().placementError() != null || e.getValue().placedIn(cluster, labels)) {
          targets.add(e.getKey());
        }
      }
      targets.addAll(observed.keySet());
      targets.addAll(items.keySet());
    } else {
      targets.addAll(only);
    }
    Instant now = clock.instant();
    Instant earliest = null;
    List<PolicyKey> ordered = new ArrayList<>(targets);
    for (int i = 0; i < ordered.size(); i++) {
      if (closed) {
        return null;
      }
      PolicyKey k = ordered.get(i);
      Item item = items.computeIfAbsent(k, x -> new Item());
      PolicyCatalog.Entry entry = snap.get(k);
      long generation = entry == null ? 0 : entry.policy().generation();
      if (item.notBefore != null && now.isBefore(item.notBefore) && generation == item.failedGeneration) {
        earliest = min(earliest, item.notBefore);
        continue;
      }
      boolean removal = entry == null || (entry.placementError() == null && !entry.placedIn(cluster, labels));
      try {
        process(k, item, entry, removal, observed.get(k), labels);
      } catch (MemberLeaving e) {
        LOG.info("cluster={} op=policy.pass result=stopped reason=\"the member is leaving\"", cluster);
        return null;
      } catch (RuntimeException e) {
        if (MemberErrors.unreachable(e)) {
          persist();
          return unavailable(snap, labels, new HashSet<>(ordered.subList(i, ordered.size())), e);
        }
        failed(k, item, entry, removal, e);
      }
      if (item.notBefore != null) {
        earliest = min(earliest, item.notBefore);
      }
    }
    memberFailures = 0;
    persist();
    return earliest;
  }

  private void process(PolicyKey k, Item item, PolicyCatalog.Entry entry, boolean removal, GenericKubernetesResource found,
      Map<String, String> labels) {
    if (entry != null && entry.placementError() != null) {
      status(k, item, PolicyState.FAILED, "the placement annotations cannot be read (" + entry.placementError()
          + "); not pushed, not pruned", entry.policy().generation(), false);
      return;
    }
    if (removal) {
      remove(k, item, found);
    } else {
      ensure(k, item, entry, found, 0);
    }
  }

  /** Makes the member hold the entry's generation. */
  private void ensure(PolicyKey k, Item item, PolicyCatalog.Entry entry, GenericKubernetesResource found, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalStateException("the member's copy keeps changing under us; retrying later");
    }
    MeshPolicy p = entry.policy();
    if (found != null) {
      ensureExisting(k, item, entry, found, depth);
      return;
    }
    boolean wasApplied = item.current != null && item.current.appliedGeneration() > 0 && !item.current.removal();
    if (wasApplied && item.drift == null) {
      item.drift = new Drift("deleted", List.of(), List.of());
    }
    GenericKubernetesResource created;
    writable();
    try {
      created = resource(k).create(toResource(entry.memberObject()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        GenericKubernetesResource existing = resource(k).withName(k.name()).get();
        if (existing == null) {
          throw new IllegalStateException("created and deleted concurrently in the member; retrying");
        }
        if (!Canonical.isManaged(toJson(existing))) {
          conflict(k, item, p, wasApplied);
          return;
        }
        ensureExisting(k, item, entry, existing, depth + 1);
        return;
      }
      throw e;
    }
    remember(k, p, created);
    restored(k, item, p, "create");
  }

  private void ensureExisting(PolicyKey k, Item item, PolicyCatalog.Entry entry, GenericKubernetesResource found, int depth) {
    MeshPolicy p = entry.policy();
    Verified known = verified.get(k);
    if (known != null && known.matches(found, p)) {
      settled(k, item, p);
      return;
    }
    JsonNode node = toJson(found);
    String claimed = Canonical.annotation(node, Canonical.HASH).orElse(null);
    String claimedGeneration = Canonical.annotation(node, Canonical.GENERATION).orElse(null);
    String content = Canonical.contentHashOf(node);
    boolean faithful = claimed != null && (content.equals(claimed) || content.equals(memberForms.get(k)));
    if (faithful && p.contentHash().equals(claimed) && Long.toString(p.generation()).equals(claimedGeneration)) {
      verify(k, p, found);
      settled(k, item, p);
      return;
    }
    if (!faithful) {
      item.drift = new Drift("edited", JsonDiff.paths(memberView(entry.memberObject()), memberView(node), MAX_FIELDS), who(found));
    }
    GenericKubernetesResource desired = toResource(entry.memberObject());
    desired.getMetadata().setResourceVersion(found.getMetadata().getResourceVersion());
    GenericKubernetesResource updated;
    writable();
    try {
      updated = resource(k).resource(desired).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        // Our view was stale (an informer lags our own writes) or it changed meanwhile: read again.
        GenericKubernetesResource fresh = resource(k).withName(k.name()).get();
        if (fresh != null && !Canonical.isManaged(toJson(fresh))) {
          conflict(k, item, p, true);
          return;
        }
        ensure(k, item, entry, fresh, depth + 1);
        return;
      }
      throw e;
    }
    remember(k, p, updated);
    restored(k, item, p, "update");
  }

  /** The member holds the generation without a write of ours: nothing drifted (a stale view said otherwise). */
  private void settled(PolicyKey k, Item item, MeshPolicy p) {
    item.drift = null;
    item.driftReported = false;
    inSync(k, item, p, false);
  }

  /** Our write succeeded: InSync, and the drift it restored (if any) recorded. */
  private void restored(PolicyKey k, Item item, MeshPolicy p, String op) {
    inSync(k, item, p, true);
    Drift d = item.drift;
    item.drift = null;
    item.driftReported = false;
    if (d != null) {
      drift(k, p, d.change(), d.fields(), d.who(), "restored");
    } else {
      LOG.info("cluster={} op=policy.{} policy={} generation={}", cluster, op, k.id(), p.generation());
    }
  }

  /** Deletes our copy from a member that no longer gets the policy. */
  private void remove(PolicyKey k, Item item, GenericKubernetesResource found) {
    if (found != null) {
      Resource<GenericKubernetesResource> r = resource(k).withName(k.name());
      String rv = found.getMetadata().getResourceVersion();
      try {
        if (rv != null) {
          r.lockResourceVersion(rv).delete();
        } else {
          r.delete();
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          // changed since our read: look again before deleting anything
          GenericKubernetesResource fresh = r.get();
          if (fresh != null && Canonical.isManaged(toJson(fresh))) {
            r.lockResourceVersion(fresh.getMetadata().getResourceVersion()).delete();
          }
        } else if (e.getCode() != 404) {
          throw e;
        }
      }
      LOG.info("cluster={} op=policy.prune policy={}", cluster, k.id());
    }
    memberForms.remove(k);
    verified.remove(k);
    item.drift = null;
    item.current = null;
    item.failures = 0;
    item.notBefore = null;
  }

  private void conflict(PolicyKey k, Item item, MeshPolicy p, boolean wasOurs) {
    item.drift = null;
    item.driftReported = false;
    boolean first = item.current == null || item.current.state() != PolicyState.FAILED;
    status(k, item, PolicyState.FAILED, "an unmanaged policy of that name exists in the member (without "
        + Canonical.MANAGED_BY + "=" + Canonical.MESHFED + "); meshfed leaves it alone", p.generation(), false, false, 0, null);
    if (wasOurs && first) {
      drift(k, p, "unmanaged", List.of("metadata.labels[\"" + Canonical.MANAGED_BY + "\"]"), List.of(),
          "left alone: the object no longer carries " + Canonical.MANAGED_BY + "=" + Canonical.MESHFED);
    } else if (first) {
      LOG.warn("cluster={} op=policy.conflict policy={} reason=\"an unmanaged policy of that name exists\"", cluster, k.id());
    }
  }

  private void failed(PolicyKey k, Item item, PolicyCatalog.Entry entry, boolean removal, RuntimeException e) {
    item.failures++;
    item.notBefore = clock.instant().plus(settings.retry().delay(item.failures, random));
    item.failedGeneration = entry == null ? 0 : entry.policy().generation();
    int code = MemberErrors.code(e);
    boolean refused = code >= 400 && code < 500 && code != 409 && code != 429;
    String reason = MemberErrors.summary(e);
    if (code == 404 && !removal && k.namespace() != null) {
      reason = "namespace " + k.namespace() + " may not exist in the member (" + reason + ")";
    }
    if (removal) {
      reason = "to be removed: " + reason;
    }
    long generation = entry == null ? (item.current == null ? 0 : item.current.desiredGeneration()) : entry.policy().generation();
    Drift d = item.drift;
    if (d != null && !removal && entry != null) {
      status(k, item, PolicyState.DRIFTED, d.change() + " in the member, not restored yet: " + reason, generation, false);
      if (!item.driftReported) {
        item.driftReported = true;
        drift(k, entry.policy(), d.change(), d.fields(), d.who(), "not restored: " + reason);
      }
    } else {
      status(k, item, refused ? PolicyState.FAILED : PolicyState.PENDING, reason, generation, removal);
    }
    LOG.warn("cluster={} op=policy.{} policy={} failed=\"{}\" attempts={} retryAt={}", cluster, removal ? "prune" : "apply", k.id(),
        reason, item.failures, item.notBefore);
  }

  /** The member cannot be read: what needs work is Pending; retry the member with backoff. */
  private Instant unavailable(PolicyCatalog.Snapshot snap, Map<String, String> labels, Set<PolicyKey> only, RuntimeException e) {
    memberFailures++;
    String reason = MemberErrors.unreachable(e) ? "member unreachable: " + MemberErrors.summary(e)
        : "member cannot be read: " + MemberErrors.summary(e);
    Set<PolicyKey> keys = new TreeSet<>();
    if (only == null) {
      for (Map.Entry<PolicyKey, PolicyCatalog.Entry> en : snap.entries().entrySet()) {
        if (en.getValue().placedIn(cluster, labels)) {
          keys.add(en.getKey());
        }
      }
      keys.addAll(items.keySet());
    } else {
      keys.addAll(only);
    }
    for (PolicyKey k : keys) {
      Item item = items.computeIfAbsent(k, x -> new Item());
      PolicyCatalog.Entry entry = snap.get(k);
      boolean removal = entry == null || (entry.placementError() == null && !entry.placedIn(cluster, labels));
      if (entry != null && entry.placementError() != null) {
        continue;
      }
      if (removal && item.current == null) {
        items.remove(k);
        continue;
      }
      PolicyStatusRecord c = item.current;
      boolean atDesired = !removal && c != null && c.state() == PolicyState.IN_SYNC
          && c.appliedGeneration() == entry.policy().generation() && entry.policy().contentHash().equals(c.appliedHash());
      if (atDesired) {
        continue; // held there as last verified; nothing to do until it can be read again
      }
      long generation = entry == null ? (c == null ? 0 : c.desiredGeneration()) : entry.policy().generation();
      status(k, item, PolicyState.PENDING, removal ? "to be removed: " + reason : reason, generation, removal);
    }
    try {
      persist();
    } catch (RuntimeException ex) {
      LOG.warn("cluster={} op=policy.status failed=\"{}\"", cluster, ex.getMessage());
    }
    Instant at = clock.instant().plus(settings.retry().delay(memberFailures, random));
    if (memberFailures == 1 || memberFailures % 10 == 0) {
      LOG.warn("cluster={} op=policy.pass unavailable=\"{}\" attempts={} retryAt={}", cluster, reason, memberFailures, at);
    }
    return at;
  }

  // ---- status --------------------------------------------------------------------------------

  private void inSync(PolicyKey k, Item item, MeshPolicy p, boolean wrote) {
    item.failures = 0;
    item.notBefore = null;
    status(k, item, PolicyState.IN_SYNC, null, p.generation(), false, wrote, p.generation(), p.contentHash());
  }

  /** A state that keeps what the member holds (applied generation and hash) as it was. */
  private void status(PolicyKey k, Item item, PolicyState state, String reason, long desiredGeneration, boolean removal) {
    PolicyStatusRecord c = item.current;
    status(k, item, state, reason, desiredGeneration, removal, false, c == null ? 0 : c.appliedGeneration(), c == null ? null : c.appliedHash());
  }

  private void status(PolicyKey k, Item item, PolicyState state, String reason, long desiredGeneration, boolean removal,
      boolean wrote, long appliedGeneration, String appliedHash) {
    Instant now = clock.instant();
    PolicyStatusRecord c = item.current;
    item.current = new PolicyStatusRecord(cluster, k.id(), state, reason, desiredGeneration, appliedGeneration, appliedHash,
        removal, wrote ? now : c == null ? null : c.lastAppliedAt(), now, item.failures);
  }

  /** Writes the statuses that changed, in as few transactions as etcd allows. */
  private void persist() {
    List<PolicyStatusRecord> puts = new ArrayList<>();
    List<String> deletions = new ArrayList<>();
    List<PolicyKey> settled = new ArrayList<>();
    for (Map.Entry<PolicyKey, Item> e : items.entrySet()) {
      Item item = e.getValue();
      if (item.current == null) {
        if (item.persisted != null) {
          deletions.add(e.getKey().id());
        }
        settled.add(e.getKey());
      } else if (!item.current.sameAs(item.persisted)) {
        puts.add(item.current);
      }
    }
    if (closed || (puts.isEmpty() && deletions.isEmpty())) {
      settled.forEach(items::remove);
      return;
    }
    store.writeStatuses(cluster, puts, deletions);
    for (PolicyStatusRecord s : puts) {
      Item item = items.get(PolicyKey.parseId(s.policy()));
      if (item != null) {
        item.persisted = s;
      }
    }
    settled.forEach(items::remove);
  }

  private void drift(PolicyKey k, MeshPolicy p, String change, List<String> fields, List<String> who, String action) {
    LOG.warn("cluster={} op=policy.drift policy={} change={} fields={} who={} action=\"{}\" generation={}", cluster, k.id(), change,
        fields, who, action, p.generation());
    try {
      store.recordEvent(new PolicyEventRecord(clock.instant(), cluster, k.id(), change, fields, who, action, p.generation()));
    } catch (RuntimeException e) {
      LOG.warn("cluster={} op=policy.event policy={} failed=\"{}\" (the drift was handled; only its record is lost)", cluster, k.id(), e.getMessage());
    }
  }

  private void verify(PolicyKey k, MeshPolicy p, GenericKubernetesResource o) {
    String rv = o.getMetadata() == null ? null : o.getMetadata().getResourceVersion();
    if (rv != null) {
      verified.put(k, new Verified(rv, p.generation(), p.contentHash()));
    }
  }

  /** Remembers how the member stored our write when it differs (API server defaults, mutating webhooks). */
  private void remember(PolicyKey k, MeshPolicy p, GenericKubernetesResource written) {
    if (written == null) {
      return;
    }
    verify(k, p, written);
    String stored = Canonical.contentHashOf(toJson(written));
    if (stored.equals(p.contentHash())) {
      memberForms.remove(k);
    } else {
      memberForms.put(k, stored);
      LOG.info("cluster={} op=policy.member-form policy={} storedHash={} (the member changed the object on write; accepted as this generation)",
          cluster, k.id(), stored);
    }
  }

  // ---- informers -----------------------------------------------------------------------------

  private void startInformer(PolicyKind kind) {
    KubernetesClient c = client;
    FilterWatchListDeletable<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> scope =
        kind.namespaced()
            ? c.genericKubernetesResources(context(kind)).inAnyNamespace().withLabel(Canonical.MANAGED_BY, Canonical.MESHFED)
            : c.genericKubernetesResources(context(kind)).withLabel(Canonical.MANAGED_BY, Canonical.MESHFED);
    SharedIndexInformer<GenericKubernetesResource> inf = scope.runnableInformer(0);
    inf.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource o) {
        changed(kind, o);
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource o) {
        changed(kind, o);
      }

      @Override
      public void onDelete(GenericKubernetesResource o, boolean finalStateUnknown) {
        PolicyKey k = keyOf(kind, o);
        if (k != null) {
          request(List.of(k), false);
        }
      }
    });
    inf.exceptionHandler((started, t) -> {
      LOG.debug("cluster={} op=policy.watch kind={} error=\"{}\" retry=true", cluster, kind.shortName(), t.getMessage());
      return !ExceptionHandler.isDeserializationException(t);
    });
    synchronized (informers) {
      informers.put(kind, inf);
    }
    inf.stopped().whenComplete((v, err) -> {
      boolean current;
      synchronized (informers) {
        current = informers.get(kind) == inf;
      }
      if (!closed && current) {
        LOG.warn("cluster={} op=policy.watch kind={} stopped=\"{}\" restartIn={}", cluster, kind.shortName(),
            err == null ? "" : err.getMessage(), RESTART_DELAY);
        executor.schedule(() -> restartInformer(kind, inf), RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
    inf.start().whenComplete((v, err) -> {
      if (err == null && !closed) {
        request(List.of(), true);
      }
    });
  }

  private void restartInformer(PolicyKind kind, SharedIndexInformer<GenericKubernetesResource> old) {
    synchronized (informers) {
      if (closed || informers.get(kind) != old) {
        return;
      }
      informers.remove(kind);
    }
    old.stop();
    startInformer(kind);
  }

  /** A change seen by an informer: queue the key unless it is exactly the mesh's current version. */
  private void changed(PolicyKind kind, GenericKubernetesResource o) {
    PolicyKey k = keyOf(kind, o);
    if (k == null) {
      return;
    }
    PolicyCatalog.Entry e = catalog.snapshot().get(k);
    if (e == null || !e.placedIn(cluster, labels)) {
      request(List.of(k), false);
      return;
    }
    Verified known = verified.get(k);
    if (known != null && known.matches(o, e.policy())) {
      return; // our own write, or a replay of what we verified
    }
    JsonNode node = toJson(o);
    String claimed = Canonical.annotation(node, Canonical.HASH).orElse(null);
    boolean current = e.policy().contentHash().equals(claimed)
        && Long.toString(e.policy().generation()).equals(Canonical.annotation(node, Canonical.GENERATION).orElse(null));
    if (!current) {
      request(List.of(k), false);
      return;
    }
    String content = Canonical.contentHashOf(node);
    if (!content.equals(claimed) && !content.equals(memberForms.get(k))) {
      request(List.of(k), false);
    }
  }

  /** Every managed policy in the member: from the informers when they watch, else by listing. */
  private Map<PolicyKey, GenericKubernetesResource> observe() {
    Map<PolicyKey, GenericKubernetesResource> out = new HashMap<>();
    for (PolicyKind kind : PolicyKind.values()) {
      SharedIndexInformer<GenericKubernetesResource> inf;
      synchronized (informers) {
        inf = informers.get(kind);
      }
      List<GenericKubernetesResource> objects;
      if (inf != null && inf.hasSynced() && inf.isWatching()) {
        objects = inf.getStore().list();
      } else {
        objects = listManaged(client, kind);
      }
      for (GenericKubernetesResource o : objects) {
        PolicyKey k = keyOf(kind, o);
        Map<String, String> labels = o.getMetadata().getLabels();
        if (k != null && labels != null && Canonical.MESHFED.equals(labels.get(Canonical.MANAGED_BY))) {
          out.put(k, o);
        }
      }
    }
    return out;
  }

  static List<GenericKubernetesResource> listManaged(KubernetesClient c, PolicyKind kind) {
    return (kind.namespaced()
        ? c.genericKubernetesResources(context(kind)).inAnyNamespace().withLabel(Canonical.MANAGED_BY, Canonical.MESHFED).list()
        : c.genericKubernetesResources(context(kind)).withLabel(Canonical.MANAGED_BY, Canonical.MESHFED).list()).getItems();
  }

  /**
   * Deletes every meshfed-managed CNP and CCNP from a member (it leaves the mesh). Objects without
   * our label are not listed, so never deleted. Returns how many were deleted.
   */
  static int pruneEverything(KubernetesClient c, String cluster) {
    int n = 0;
    for (PolicyKind kind : PolicyKind.values()) {
      for (GenericKubernetesResource o : listManaged(c, kind)) {
        if (!Canonical.isManaged(toJson(o))) {
          continue;
        }
        var op = c.genericKubernetesResources(context(kind));
        Resource<GenericKubernetesResource> r = kind.namespaced()
            ? op.inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
            : op.withName(o.getMetadata().getName());
        try {
          r.lockResourceVersion(o.getMetadata().getResourceVersion()).delete();
          n++;
          LOG.info("cluster={} op=policy.prune policy={} reason=leave", cluster, Canonical.annotation(toJson(o), Canonical.POLICY).orElse(o.getMetadata().getName()));
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404 && e.getCode() != 409) {
            throw e;
          }
        }
      }
    }
    return n;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> resource(PolicyKey k) {
    var op = client.genericKubernetesResources(context(k.kind()));
    return k.kind().namespaced() ? op.inNamespace(k.namespace()) : op;
  }

  static ResourceDefinitionContext context(PolicyKind kind) {
    return new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2").withPlural(kind.plural())
        .withKind(kind.kind()).withNamespaced(kind.namespaced()).build();
  }

  static PolicyKey keyOf(PolicyKind kind, GenericKubernetesResource o) {
    if (o == null || o.getMetadata() == null || o.getMetadata().getName() == null) {
      return null;
    }
    try {
      return new PolicyKey(kind, o.getMetadata().getNamespace(), o.getMetadata().getName());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static JsonNode toJson(GenericKubernetesResource o) {
    return SERIAL.convertValue(o, JsonNode.class);
  }

  static GenericKubernetesResource toResource(ObjectNode node) {
    return SERIAL.convertValue(node.deepCopy(), GenericKubernetesResource.class);
  }

  /** What drift is judged on: apiVersion, kind, name, namespace, labels, annotations, spec, specs. */
  static JsonNode memberView(JsonNode obj) {
    ObjectNode out = Canonical.canonicalize(obj);
    ObjectNode meta = (ObjectNode) out.get("metadata");
    JsonNode labels = obj.path("metadata").path("labels");
    if (labels.has(Canonical.MANAGED_BY)) {
      meta.withObject("/labels").set(Canonical.MANAGED_BY, labels.get(Canonical.MANAGED_BY));
    }
    for (String a : List.of(Canonical.GENERATION, Canonical.HASH, Canonical.POLICY)) {
      Canonical.annotation(obj, a).ifPresent(v -> meta.withObject("/annotations").put(a, v));
    }
    return out;
  }

  /** From managedFields: the managers (and operation) of the newest entries. */
  static List<String> who(GenericKubernetesResource o) {
    List<ManagedFieldsEntry> entries = o.getMetadata() == null ? null : o.getMetadata().getManagedFields();
    if (entries == null || entries.isEmpty()) {
      return List.of();
    }
    Instant newest = null;
    for (ManagedFieldsEntry e : entries) {
      Instant t = time(e);
      if (t != null && (newest == null || t.isAfter(newest))) {
        newest = t;
      }
    }
    List<String> out = new ArrayList<>();
    for (ManagedFieldsEntry e : entries) {
      Instant t = time(e);
      if (newest == null || newest.equals(t)) {
        String w = e.getManager() == null ? "unknown" : e.getManager();
        if (e.getOperation() != null) {
          w += " (" + e.getOperation() + (t == null ? "" : " at " + t) + ")";
        }
        if (!out.contains(w)) {
          out.add(w);
        }
      }
    }
    return out;
  }

  private static Instant time(ManagedFieldsEntry e) {
    try {
      return e.getTime() == null ? null : Instant.parse(e.getTime());
    } catch (DateTimeParseException ex) {
      return null;
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (timer != null) {
        timer.cancel(false);
      }
    }
    synchronized (informers) {
      informers.values().forEach(SharedIndexInformer::stop);
      informers.clear();
    }
    KubernetesClient c = client;
    if (c != null) {
      c.close();
    }
    LOG.info("cluster={} op=policy.member.stop", cluster);
  }
}
