package io.meshfed.controller.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.api.cluster.Finding;
import io.meshfed.controller.http.ApiException;
import io.meshfed.controller.policy.store.PolicyEventRecord;
import io.meshfed.controller.policy.store.PolicyState;
import io.meshfed.controller.policy.store.PolicyStatusRecord;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.policy.validation.PolicySource;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.Versioned;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API and the CLI do with mesh policies: apply (validate every document, then store the
 * changed ones, all or nothing), diff, get, list, delete, status and events. Blocking (etcd):
 * call from worker threads.
 *
 * <p>Apply is declarative like {@code kubectl apply}: the documents given become the mesh's
 * version of those policies; policies not named are left alone. Unchanged content is not written
 * (same generation). Up to {@value PolicyStore#MAX_TXN_OPS} changed policies go into one etcd
 * transaction, so such a batch is stored entirely or not at all; a bigger batch is stored in
 * transactions of that size, each all-or-nothing (re-running the apply completes it).
 */
public final class PolicyService {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);
  private static final int MAX_FIELDS = 50;
  private static final int CAS_ATTEMPTS = 5;

  private final MeshStore store;
  private final PolicyStore policies;
  private final Clock clock;
  private final Consumer<Collection<PolicyKey>> changed;

  /** @param changed told (after the store) which policies changed: the rollout */
  public PolicyService(MeshStore store, PolicyStore policies, Clock clock, Consumer<Collection<PolicyKey>> changed) {
    this.store = store;
    this.policies = policies;
    this.clock = clock;
    this.changed = changed;
  }

  // ---- views ---------------------------------------------------------------------------------

  /** A policy in lists; {@code object} (what every placed member holds) only when one policy is asked for. */
  public record PolicyView(String key, String policy, String kind, String namespace, String name, long generation, String hash,
      String placement, List<String> clusters, Instant createdAt, Instant updatedAt, JsonNode object) {}

  /** The outcome for one applied document. {@code action}: created, configured or unchanged. */
  public record Applied(String origin, String key, String policy, String kind, String action, long generation, String hash,
      List<String> clusters, List<String> warnings) {}

  public record ApplyResult(List<Applied> documents) {}

  /** What applying a document would do in one member: create, change or remove (unchanged ones too). */
  public record ClusterChange(String cluster, String change, List<String> fields) {}

  public record DocumentDiff(String origin, String key, String policy, String kind, long generation, long nextGeneration,
      List<String> fields, List<ClusterChange> clusters, List<String> warnings) {}

  public record DiffResult(List<DocumentDiff> documents) {}

  public record Deleted(String key, String policy, String kind, long generation, List<String> pruneFrom) {}

  /** A policy in one member, as {@code policy status} shows it. */
  public record ClusterStatus(String cluster, String state, String reason, long desiredGeneration, long appliedGeneration,
      boolean removal, Instant lastAppliedAt, Instant lastAttemptAt, int attempts) {}

  /** A policy in every member it is placed in (or still being removed from). {@code deleted}: no longer a mesh policy. */
  public record StatusView(String key, String policy, String kind, long generation, String hash, boolean deleted,
      List<ClusterStatus> clusters) {}

  public record EventsView(String key, String policy, List<PolicyEventRecord> events) {}

  // ---- apply and diff ------------------------------------------------------------------------

  private record Prepared(PolicySource source, PolicyKey key, ObjectNode canonical, ValidationGate.Placer placer,
      List<String> warnings) {}

  private record Member(String name, Map<String, String> labels) {}

  /** Validates every document, then stores those whose content changed; nothing when one is invalid. */
  public ApplyResult apply(List<PolicySource> sources) {
    List<Member> members = members();
    List<Prepared> prepared = prepare(sources, members);
    List<Applied> results = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      results.clear();
      Map<PolicyKey, Versioned<MeshPolicy>> current = current();
      Instant now = clock.instant();
      List<PolicyStore.Write> writes = new ArrayList<>();
      for (Prepared p : prepared) {
        Versioned<MeshPolicy> cur = current.get(p.key());
        MeshPolicy next = cur == null ? MeshPolicy.create(p.canonical(), now) : cur.value().next(p.canonical(), now);
        String action = cur == null ? "created" : next == cur.value() ? "unchanged" : "configured";
        if (next != (cur == null ? null : cur.value())) {
          writes.add(new PolicyStore.Write(cur, next));
        }
        results.add(new Applied(p.source().origin(), p.key().id(), p.key().display(), p.key().kind().kind(), action, next.generation(),
            next.contentHash(), placed(p.placer(), members), p.warnings()));
      }
      boolean stored = true;
      for (int i = 0; i < writes.size() && stored; i += PolicyStore.MAX_TXN_OPS) {
        stored = policies.write(writes.subList(i, Math.min(writes.size(), i + PolicyStore.MAX_TXN_OPS)));
      }
      if (stored) {
        for (Applied a : results) {
          LOG.info("op=policy.apply policy={} action={} generation={} clusters={}", a.key(), a.action(), a.generation(), a.clusters());
        }
        notifyChanged(writes.stream().map(w -> w.next().policyKey()).toList());
        return new ApplyResult(List.copyOf(results));
      }
      if (attempt >= CAS_ATTEMPTS) {
        throw ApiException.conflict("policies", "the policies changed concurrently " + CAS_ATTEMPTS + " times while this apply was"
            + " stored; run it again");
      }
    }
  }

  /** What {@link #apply} would change, per member; stores nothing. */
  public DiffResult diff(List<PolicySource> sources) {
    List<Member> members = members();
    List<Prepared> prepared = prepare(sources, members);
    Map<PolicyKey, Versioned<MeshPolicy>> current = current();
    List<DocumentDiff> out = new ArrayList<>();
    for (Prepared p : prepared) {
      Versioned<MeshPolicy> cur = current.get(p.key());
      MeshPolicy was = cur == null ? null : cur.value();
      boolean contentChanged = was == null || !was.contentHash().equals(Canonical.contentHash(p.canonical()));
      List<String> fields = was == null ? List.of() : JsonDiff.paths(was.object(), p.canonical(), MAX_FIELDS);
      ValidationGate.Placer before = was == null ? null : placerOrNull(was);
      List<ClusterChange> clusters = new ArrayList<>();
      for (Member m : members) {
        boolean wasThere = before != null && before.selects(m.name(), m.labels());
        boolean willBe = p.placer().selects(m.name(), m.labels());
        if (!wasThere && willBe) {
          clusters.add(new ClusterChange(m.name(), "create", List.of()));
        } else if (wasThere && !willBe) {
          clusters.add(new ClusterChange(m.name(), "remove", List.of()));
        } else if (wasThere) {
          clusters.add(new ClusterChange(m.name(), contentChanged ? "change" : "unchanged", contentChanged ? fields : List.of()));
        }
      }
      long generation = was == null ? 0 : was.generation();
      out.add(new DocumentDiff(p.source().origin(), p.key().id(), p.key().display(), p.key().kind().kind(), generation,
          was == null ? 1 : contentChanged ? generation + 1 : generation, fields, clusters, p.warnings()));
    }
    return new DiffResult(out);
  }

  private List<Prepared> prepare(List<PolicySource> sources, List<Member> members) {
    if (sources.isEmpty()) {
      throw ApiException.badRequest("body", "no policy documents in the request");
    }
    Set<String> names = members.stream().map(Member::name).collect(Collectors.toSet());
    List<PolicyRejected.Problem> errors = new ArrayList<>();
    List<PolicyRejected.Problem> warnings = new ArrayList<>();
    Map<String, List<String>> warningsByOrigin = new HashMap<>();
    for (PolicySource s : sources) {
      ValidationGate.Checked c = ValidationGate.validate(s, names);
      for (Finding f : c.errors()) {
        errors.add(new PolicyRejected.Problem(s.origin(), f.field(), f.message()));
      }
      for (Finding f : c.warnings()) {
        warnings.add(new PolicyRejected.Problem(s.origin(), f.field(), f.message()));
        warningsByOrigin.computeIfAbsent(s.origin(), o -> new ArrayList<>()).add(f.message());
      }
    }
    if (!errors.isEmpty()) {
      throw new PolicyRejected(sources.size(), errors, warnings);
    }
    Map<PolicyKey, String> seen = new HashMap<>();
    List<Prepared> out = new ArrayList<>();
    for (PolicySource s : sources) {
      JsonNode doc = s.document();
      PolicyKey key = PolicyKey.of(doc);
      String first = seen.putIfAbsent(key, s.origin());
      if (first != null) {
        errors.add(new PolicyRejected.Problem(s.origin(), "metadata.name", key.kind().kind() + " " + key.display()
            + " is also in " + first + "; give each policy once per apply"));
        continue;
      }
      ObjectNode canonical = Canonical.canonicalize(doc);
      List<String> docWarnings = new ArrayList<>(warningsByOrigin.getOrDefault(s.origin(), List.of()));
      docWarnings.addAll(Canonical.reservedInInput(doc));
      ValidationGate.Placer placer;
      try {
        placer = ValidationGate.placement(MeshPolicy.strings(canonical.path("metadata").path("annotations")));
      } catch (RuntimeException e) {
        errors.add(new PolicyRejected.Problem(s.origin(), "metadata.annotations", String.valueOf(e.getMessage())));
        continue;
      }
      if (placed(placer, members).isEmpty()) {
        docWarnings.add("its placement selects no member cluster today; it is stored and goes to members that join and match");
      }
      out.add(new Prepared(s, key, canonical, placer, List.copyOf(docWarnings)));
    }
    if (!errors.isEmpty()) {
      throw new PolicyRejected(sources.size(), errors, warnings);
    }
    return out;
  }

  // ---- read, delete --------------------------------------------------------------------------

  public List<PolicyView> list(String name, String namespace, String kind) {
    PolicyKind k = kind == null ? null : parseKind(kind);
    List<Member> members = members();
    List<PolicyView> out = new ArrayList<>();
    for (Versioned<MeshPolicy> v : policies.list()) {
      MeshPolicy p = v.value();
      if ((name != null && !name.equals(p.name())) || (namespace != null && !namespace.equals(p.namespace()))
          || (k != null && k != p.kind())) {
        continue;
      }
      out.add(view(p, members, false));
    }
    out.sort(Comparator.comparing(PolicyView::key));
    return out;
  }

  public PolicyView get(String ref, String kind) {
    PolicyKey key = resolve(ref, kind);
    MeshPolicy p = policies.get(key).orElseThrow(() -> notFound(key)).value();
    return view(p, members(), true);
  }

  /** Deletes a mesh policy; the rollout then prunes it from every member. */
  public Deleted delete(String ref, String kind) {
    PolicyKey key = resolve(ref, kind);
    for (int attempt = 1; ; attempt++) {
      Versioned<MeshPolicy> cur = policies.get(key).orElseThrow(() -> notFound(key));
      List<String> holders = new ArrayList<>();
      for (PolicyStatusRecord s : policies.statusesOf(key, members().stream().map(Member::name).toList())) {
        if (s.appliedGeneration() > 0) {
          holders.add(s.cluster());
        }
      }
      if (policies.delete(cur)) {
        LOG.info("op=policy.delete policy={} generation={} pruneFrom={}", key.id(), cur.value().generation(), holders);
        notifyChanged(List.of(key));
        holders.sort(null);
        return new Deleted(key.id(), key.display(), key.kind().kind(), cur.value().generation(), holders);
      }
      if (attempt >= CAS_ATTEMPTS) {
        throw ApiException.conflict("policy", key.display() + " changed concurrently; run the delete again");
      }
    }
  }

  public StatusView status(String ref, String kind) {
    PolicyKey key = resolve(ref, kind);
    MeshPolicy p = policies.get(key).map(Versioned::value).orElse(null);
    List<Member> members = members();
    Map<String, PolicyStatusRecord> byCluster = new HashMap<>();
    for (PolicyStatusRecord s : policies.statusesOf(key, members.stream().map(Member::name).toList())) {
      byCluster.put(s.cluster(), s);
    }
    if (p == null && byCluster.isEmpty()) {
      throw notFound(key);
    }
    return statusView(key, p, members, byCluster);
  }

  /** Every policy (and every deleted one still being removed somewhere) in every member. */
  public List<StatusView> statusAll() {
    List<Member> members = members();
    Map<String, Map<String, PolicyStatusRecord>> byPolicy = new TreeMap<>();
    for (PolicyStatusRecord s : policies.statuses()) {
      byPolicy.computeIfAbsent(s.policy(), x -> new HashMap<>()).put(s.cluster(), s);
    }
    Map<String, MeshPolicy> all = new TreeMap<>();
    for (Versioned<MeshPolicy> v : policies.list()) {
      all.put(v.value().key(), v.value());
    }
    List<StatusView> out = new ArrayList<>();
    for (MeshPolicy p : all.values()) {
      out.add(statusView(p.policyKey(), p, members, byPolicy.getOrDefault(p.key(), Map.of())));
    }
    for (Map.Entry<String, Map<String, PolicyStatusRecord>> e : byPolicy.entrySet()) {
      if (!all.containsKey(e.getKey())) {
        try {
          out.add(statusView(PolicyKey.parseId(e.getKey()), null, members, e.getValue()));
        } catch (IllegalArgumentException ignored) {
          // not a key this version writes
        }
      }
    }
    out.sort(Comparator.comparing(StatusView::key));
    return out;
  }

  public EventsView events(String ref, String kind) {
    PolicyKey key = resolveForHistory(ref, kind);
    return new EventsView(key.id(), key.display(), policies.events(key));
  }

  private StatusView statusView(PolicyKey key, MeshPolicy p, List<Member> members, Map<String, PolicyStatusRecord> byCluster) {
    ValidationGate.Placer placer = p == null ? null : placerOrNull(p);
    List<ClusterStatus> clusters = new ArrayList<>();
    for (Member m : members) {
      PolicyStatusRecord s = byCluster.get(m.name());
      boolean placed = placer != null && placer.selects(m.name(), m.labels());
      if (!placed && s == null) {
        continue;
      }
      if (s == null) {
        clusters.add(new ClusterStatus(m.name(), PolicyState.PENDING.label(), "not attempted yet", p.generation(), 0, false, null, null, 0));
        continue;
      }
      String state = s.state().label();
      String reason = s.reason();
      boolean removal = !placed;
      if (placed && s.state() == PolicyState.IN_SYNC && (s.appliedGeneration() != p.generation() || !p.contentHash().equals(s.appliedHash()))) {
        state = PolicyState.PENDING.label();
        reason = "generation " + p.generation() + " not rolled out here yet";
      } else if (placed && s.removal()) {
        state = PolicyState.PENDING.label();
        reason = "placed here again; waiting for the rollout";
      } else if (!placed && !s.removal()) {
        state = PolicyState.PENDING.label();
        reason = p == null ? "to be removed (the mesh policy was deleted)" : "to be removed (no longer placed here)";
      }
      clusters.add(new ClusterStatus(m.name(), state, reason, p == null ? s.desiredGeneration() : p.generation(), s.appliedGeneration(),
          removal, s.lastAppliedAt(), s.lastAttemptAt(), s.attempts()));
    }
    return new StatusView(key.id(), key.display(), key.kind().kind(), p == null ? 0 : p.generation(), p == null ? null : p.contentHash(),
        p == null, clusters);
  }

  private PolicyView view(MeshPolicy p, List<Member> members, boolean withObject) {
    ValidationGate.Placer placer = placerOrNull(p);
    return new PolicyView(p.key(), p.policyKey().display(), p.kind().kind(), p.namespace(), p.name(), p.generation(), p.contentHash(),
        ValidationGate.describePlacement(p.annotations()), placer == null ? List.of() : placed(placer, members), p.createdAt(),
        p.updatedAt(), withObject ? Canonical.memberObject(p) : null);
  }

  // ---- references ----------------------------------------------------------------------------

  /**
   * A policy as users name it: {@code NAME} (unique among all policies, else ambiguous),
   * {@code NAMESPACE/NAME} (a CiliumNetworkPolicy) or the key {@code cnp|ccnp/NAMESPACE|_cluster/NAME};
   * {@code kind} narrows a bare name.
   */
  public PolicyKey resolve(String ref, String kind) {
    PolicyKey explicit = explicitKey(ref, kind);
    if (explicit != null) {
      return explicit;
    }
    PolicyKind k = kind == null || kind.isBlank() ? null : parseKind(kind);
    String name = ref.trim();
    List<PolicyKey> matches = policies.keys().stream().filter(x -> x.name().equals(name) && (k == null || x.kind() == k)).sorted().toList();
    if (matches.isEmpty()) {
      throw ApiException.notFound("policy", "no mesh policy named \"" + name + "\"" + (k == null ? "" : " of kind " + k.kind()));
    }
    if (matches.size() > 1) {
      throw ApiException.conflict("policy", "\"" + name + "\" names " + matches.size() + " mesh policies: "
          + matches.stream().map(m -> m.display() + " (" + m.kind().kind() + ")").collect(Collectors.joining(", "))
          + "; name one as NAMESPACE/NAME, or with --kind");
    }
    return matches.get(0);
  }

  /** As {@link #resolve}, but a NAMESPACE/NAME or key needs no current policy (events outlive it). */
  private PolicyKey resolveForHistory(String ref, String kind) {
    PolicyKey explicit = explicitKey(ref, kind);
    return explicit != null ? explicit : resolve(ref, kind);
  }

  private static PolicyKey explicitKey(String ref, String kind) {
    if (ref == null || ref.isBlank()) {
      throw ApiException.badRequest("policy", "a policy name is required");
    }
    String r = ref.trim();
    PolicyKind k = kind == null || kind.isBlank() ? null : parseKind(kind);
    String[] parts = r.split("/", -1);
    if (parts.length == 3) {
      try {
        PolicyKey key = PolicyKey.parseId(r);
        if (k != null && key.kind() != k) {
          throw ApiException.badRequest("kind", "--kind " + kind + " does not match " + r);
        }
        return key;
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("policy", "\"" + r + "\" is neither NAME, NAMESPACE/NAME nor KIND/NAMESPACE/NAME");
      }
    }
    if (parts.length == 2) {
      if (k == PolicyKind.CCNP) {
        throw ApiException.badRequest("policy", "a CiliumClusterwideNetworkPolicy has no namespace: give its NAME only");
      }
      if (parts[0].isEmpty() || parts[1].isEmpty()) {
        throw ApiException.badRequest("policy", "\"" + r + "\" is not NAMESPACE/NAME");
      }
      return new PolicyKey(PolicyKind.CNP, parts[0], parts[1]);
    }
    if (parts.length > 3) {
      throw ApiException.badRequest("policy", "\"" + r + "\" is neither NAME, NAMESPACE/NAME nor KIND/NAMESPACE/NAME");
    }
    return null;
  }

  private static PolicyKind parseKind(String kind) {
    return PolicyKind.parse(kind).orElseThrow(() -> ApiException.badRequest("kind",
        "\"" + kind + "\" is not a policy kind (cnp, ccnp, CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy)"));
  }

  private static ApiException notFound(PolicyKey key) {
    return ApiException.notFound("policy", "no mesh policy " + key.display() + " (" + key.kind().kind() + ")");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private List<Member> members() {
    List<Member> out = new ArrayList<>();
    for (ClusterRecord c : store.clusters()) {
      out.add(new Member(c.name(), c.labels()));
    }
    out.sort(Comparator.comparing(Member::name));
    return out;
  }

  private Map<PolicyKey, Versioned<MeshPolicy>> current() {
    Map<PolicyKey, Versioned<MeshPolicy>> out = new LinkedHashMap<>();
    for (Versioned<MeshPolicy> v : policies.list()) {
      out.put(v.value().policyKey(), v);
    }
    return out;
  }

  private static List<String> placed(ValidationGate.Placer placer, List<Member> members) {
    return members.stream().filter(m -> placer.selects(m.name(), m.labels())).map(Member::name).toList();
  }

  private static ValidationGate.Placer placerOrNull(MeshPolicy p) {
    try {
      return ValidationGate.placement(p.annotations());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void notifyChanged(List<PolicyKey> keys) {
    if (keys.isEmpty()) {
      return;
    }
    try {
      changed.accept(keys);
    } catch (RuntimeException e) {
      LOG.warn("op=policy.rollout.trigger failed=\"{}\" (stored; the next resync pushes it)", e.getMessage());
    }
  }
}
