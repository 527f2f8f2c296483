package io.meshfed.controller.sync;

import io.meshfed.controller.member.KubernetesErrors;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.sync.convert.Conversion;
import io.meshfed.controller.sync.convert.EndpointConversion;
import io.meshfed.controller.sync.convert.EndpointConverter;
import io.meshfed.controller.sync.convert.IdentityConverter;
import io.meshfed.controller.sync.convert.IpOwnership;
import io.meshfed.controller.sync.convert.KeyValue;
import io.meshfed.controller.sync.convert.MemberCluster;
import io.meshfed.controller.sync.convert.NodeConverter;
import io.meshfed.controller.sync.convert.ServiceConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync of one member: informers on CiliumIdentity, CiliumEndpoint, CiliumNode, Service and
 * EndpointSlice, each mirrored into the member's cache prefixes. The cluster config is written
 * before any data; each type gets its canary once its initial list is in etcd (and keys an earlier
 * life left are swept). Informers keep retrying a member that is down, at start or later (the
 * exception handler never gives up, except on objects that cannot be deserialized); a supervisor
 * restarts an informer that stopped. Nothing here can affect another member's session.
 */
public final class SyncSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncSession.class);
  static final ResourceDefinitionContext IDENTITIES = crd("ciliumidentities", "CiliumIdentity", false);
  static final ResourceDefinitionContext ENDPOINTS = crd("ciliumendpoints", "CiliumEndpoint", true);
  static final ResourceDefinitionContext NODES = crd("ciliumnodes", "CiliumNode", false);
  private static final Duration RESTART_DELAY = Duration.ofSeconds(2);
  private static final String BY_SERVICE = "service";

  private final String cluster;
  private final MemberCluster member;
  private final Supplier<KubernetesClient> clients;
  private final CacheSink sink;
  private final IpOwnership ips;
  private final SyncStatus status;
  private final ScheduledExecutorService supervisor;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile boolean closed;
  private volatile boolean wasReachable = true;
  private volatile Instant unreachableSince;
  private volatile boolean servicesRevoked;
  private Duration cacheTtl = Duration.ZERO;
  private java.time.Clock clock = java.time.Clock.systemUTC();
  private java.util.concurrent.ScheduledFuture<?> probe;
  /** How often each session asks its member for /version; a fixed interval (one cheap request). */
  public static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
  /**
   * Where in {@link #PROBE_INTERVAL} each session's first probe falls. With a first probe at once,
   * sessions started by one reconcile (controller start, a new leader) probe in the same tick
   * forever after; members that return together are then all seen back in one tick, and with a
   * cacheTTL every one of them relists all its kinds in that tick (see {@link #reachable()}).
   * Evenly spread phases spread those relists over the whole interval.
   */
  private static final java.util.function.DoubleSupplier PROBE_PHASES = io.meshfed.controller.member.EvenSpread.randomStart();
  /**
   * A probe without an answer this long makes the member unreachable, well before the client's
   * 30 s request timeout: a hung API server is noticed in about 10 s.
   */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Probe requests run here, never on the supervisor: the supervisor is shared by every member's
   * session, and one hung member must not delay the others' probes and restarts.
   */
  private static final java.util.concurrent.ExecutorService PROBES = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "meshfed-sync-probe");
    t.setDaemon(true);
    return t;
  });
  /** The probe request in flight, and when it was sent (System.nanoTime); touched on the supervisor only. */
  private java.util.concurrent.Future<?> probeCall;
  private long probeSentNanos;
  private volatile KubernetesClient client;
  private Duration auditInterval = Duration.ZERO;
  private Duration auditRecheck = Duration.ofSeconds(15);
  private java.util.concurrent.ScheduledFuture<?> audit;
  /** Audits list whole kinds: on their own thread, so they never delay the probes on the supervisor. */
  private ScheduledExecutorService auditor;
  /** Per audited type: how to list it from the member, and the informer whose cache must match. */
  private final Map<CacheType, Audited> audited = new java.util.concurrent.ConcurrentHashMap<>();
  /** Test hook: informer events of these types are dropped, as by a watch that went quiet. */
  private final Set<CacheType> muted = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private record Audited(Supplier<Map<String, String>> lister, Supplier<Map<String, String>> applied) {}

  private final java.util.function.Consumer<io.meshfed.controller.sync.convert.IpHolder> handover;
  private volatile SharedIndexInformer<GenericKubernetesResource> endpointInformer;
  private volatile EndpointSync endpointSync;

  /**
   * @param handover told when an IP this member releases passes to an endpoint that was waiting
   *     for it (possibly in another member), so that endpoint's key gets written
   */
  public SyncSession(MemberCluster member, Supplier<KubernetesClient> clients, CacheSink sink, IpOwnership ips, SyncStatus status,
      ScheduledExecutorService supervisor, java.util.function.Consumer<io.meshfed.controller.sync.convert.IpHolder> handover) {
    this.handover = handover;
    this.cluster = member.name().value();
    this.member = member;
    this.clients = clients;
    this.sink = sink;
    this.ips = ips;
    this.status = status;
    this.supervisor = supervisor;
  }

  public SyncStatus status() {
    return status;
  }

  /** The sync status with the write path's counters (JSON-ready). */
  public Map<String, Object> view() {
    Map<String, Object> v = new java.util.LinkedHashMap<>(status.view());
    Object writer = sink.writerStats();
    if (writer != null) {
      v.put("writer", writer);
    }
    KubernetesClient c = client;
    if (c != null) {
      // This client's own retry schedule (ReconnectJitter): members that went away together
      // should show different values, or they come back in lockstep.
      v.put("watchReconnectMs", c.getConfiguration().getWatchReconnectInterval());
      v.put("retryIntervalMs", c.getConfiguration().getRequestRetryBackoffInterval());
    }
    return v;
  }

  /**
   * Revoke the member's global services after it was unreachable this long (Cilium's
   * {@code clustermesh-cache-ttl}: only services are revoked, so traffic stops going to backends
   * that are gone; identities, endpoints and nodes stay). Zero keeps everything.
   */
  public SyncSession withCacheTtl(Duration ttl, java.time.Clock clock) {
    this.cacheTtl = ttl;
    this.clock = clock;
    return this;
  }

  /**
   * Every {@code interval}, compare each kind's listing in the member with the informer's cache
   * ({@link SyncAudit}); a difference that persists over {@code recheck} means the watch missed
   * events, and the session lists everything again. Zero turns the audit off.
   */
  public SyncSession withAudit(Duration interval, Duration recheck, ScheduledExecutorService auditor) {
    this.auditInterval = interval;
    this.auditRecheck = recheck;
    this.auditor = auditor;
    return this;
  }

  /** Starts the informers; returns at once (initial lists complete in the background). */
  public synchronized void start() {
    sink.clusterConfig();
    client = clients.get();
    IdentityConverter identities = new IdentityConverter(member);
    NodeConverter nodes = new NodeConverter(member);
    EndpointConverter endpoints = new EndpointConverter(member);
    ServiceConverter services = new ServiceConverter(member);

    run(CacheType.IDENTITIES, IDENTITIES, () -> client.genericKubernetesResources(IDENTITIES).runnableInformer(0),
        new KindSync<GenericKubernetesResource>(cluster, CacheType.IDENTITIES, sink, status) {
          @Override
          protected Conversion convert(GenericKubernetesResource o) {
            return identities.convert(o);
          }
        });
    run(CacheType.NODES, NODES, () -> client.genericKubernetesResources(NODES).runnableInformer(0),
        new KindSync<GenericKubernetesResource>(cluster, CacheType.NODES, sink, status) {
          @Override
          protected Conversion convert(GenericKubernetesResource o) {
            return nodes.convert(o);
          }
        });
    endpointSync = new EndpointSync(endpoints);
    run(CacheType.IP, ENDPOINTS, () -> {
      SharedIndexInformer<GenericKubernetesResource> inf = client.genericKubernetesResources(ENDPOINTS).inAnyNamespace().runnableInformer(0);
      endpointInformer = inf;
      return inf;
    }, endpointSync);

    SharedIndexInformer<Service> svc = client.services().inAnyNamespace().runnableInformer(0);
    SharedIndexInformer<EndpointSlice> slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    slices.addIndexers(Map.of(BY_SERVICE, sl -> sl.getMetadata().getLabels() == null
        || sl.getMetadata().getLabels().get("kubernetes.io/service-name") == null ? List.of()
        : List.of(sl.getMetadata().getNamespace() + "/" + sl.getMetadata().getLabels().get("kubernetes.io/service-name"))));
    ServiceSync serviceSync = new ServiceSync(services, slices);
    slices.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(EndpointSlice s) {
        serviceSync.sliceChanged(s);
      }

      @Override
      public void onUpdate(EndpointSlice o, EndpointSlice n) {
        serviceSync.sliceChanged(n);
      }

      @Override
      public void onDelete(EndpointSlice s, boolean unknown) {
        serviceSync.sliceChanged(s);
      }
    });
    serviceSync.services = svc;
    svc.addEventHandler(serviceSync);
    supervise(svc, CacheType.SERVICES);
    supervise(slices, CacheType.SERVICES);
    CompletableFuture.allOf(svc.start().toCompletableFuture(), slices.start().toCompletableFuture())
        .whenComplete((v, err) -> initialList(CacheType.SERVICES, err, () -> {
          svc.getStore().list().forEach(serviceSync::apply);
          serviceSync.initialListDone();
        }));
    audited.put(CacheType.SERVICES, new Audited(() -> versions(client.services().inAnyNamespace()), serviceSync::appliedVersions));
    long phase = (long) (PROBE_INTERVAL.toMillis() * PROBE_PHASES.getAsDouble());
    probe = supervisor.scheduleWithFixedDelay(this::probe, phase, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    if (!auditInterval.isZero()) {
      audit = auditor.scheduleWithFixedDelay(this::audit, auditInterval.toMillis(), auditInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    LOG.info("cluster={} op=sync.start", cluster);
  }

  /**
   * Reachability from a cheap request of our own: informers retry quietly inside fabric8, so
   * their silence says nothing about whether the member answers. Runs on the supervisor and never
   * blocks it: the request goes to {@link #PROBES}, its result comes back to the supervisor, and a
   * request still unanswered after {@link #PROBE_TIMEOUT} counts as unreachable.
   */
  private void probe() {
    KubernetesClient c = client;
    if (closed || c == null) {
      return;
    }
    java.util.concurrent.Future<?> inFlight = probeCall;
    if (inFlight != null && !inFlight.isDone()) {
      long waited = System.nanoTime() - probeSentNanos;
      if (waited >= PROBE_TIMEOUT.toNanos()) {
        unreachable("no answer within " + PROBE_TIMEOUT.toSeconds() + " s (request still pending)");
      }
      return;
    }
    probeSentNanos = System.nanoTime();
    probeCall = PROBES.submit(() -> {
      RuntimeException failure = null;
      try {
        c.getKubernetesVersion();
      } catch (RuntimeException e) {
        failure = e;
      }
      RuntimeException result = failure;
      try {
        supervisor.execute(() -> {
          if (closed) {
            return;
          }
          if (result == null) {
            reachable();
          } else {
            unreachable(KubernetesErrors.summary(result));
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // the sync manager is closing
      }
    });
  }

  private void reachable() {
    if (!wasReachable) {
      LOG.info("cluster={} op=sync.probe reachable=true", cluster);
    }
    wasReachable = true;
    unreachableSince = null;
    status.reachable(true);
    if (servicesRevoked) {
      // Back after a revocation: list everything again so the services are rewritten.
      servicesRevoked = false;
      supervisor.execute(this::restart);
    }
  }

  private void unreachable(String cause) {
    if (wasReachable) {
      LOG.warn("cluster={} op=sync.probe reachable=false error=\"{}\" keysKept={}", cluster, cause, cacheTtl.isZero());
      unreachableSince = clock.instant();
    }
    wasReachable = false;
    status.reachable(false);
    // fabric8's own message is "An error has occurred."; the summary names the cause.
    status.error("member API unreachable: " + cause);
    Instant since = unreachableSince;
    if (!cacheTtl.isZero() && !servicesRevoked && since != null && !clock.instant().isBefore(since.plus(cacheTtl))) {
      servicesRevoked = true;
      int n = sink.revoke(CacheType.SERVICES);
      status.error("services revoked after " + cacheTtl.toSeconds() + " s unreachable (cacheTTL)");
      LOG.warn("cluster={} op=sync.revoke type=services keys={} after={}s", cluster, n, cacheTtl.toSeconds());
    }
  }

  private <T extends HasMetadata> void run(CacheType type, ResourceDefinitionContext kind, Supplier<SharedIndexInformer<T>> create,
      KindSync<T> handler) {
    SharedIndexInformer<T> inf = create.get();
    inf.addEventHandler(new MutableHandler<>(type, handler));
    audited.put(type, new Audited(() -> versions(kind.isNamespaceScoped()
        ? client.genericKubernetesResources(kind).inAnyNamespace() : client.genericKubernetesResources(kind)), handler::appliedVersions));
    supervise(inf, type);
    inf.start().whenComplete((v, err) -> initialList(type, err, () -> {
      // The store holds the whole list now, but its add events may still be queued: apply the
      // list here (idempotent) so the sweep never deletes a key whose event has not run yet.
      inf.getStore().list().forEach(handler::apply);
      handler.initialListDone();
    }));
  }

  private void initialList(CacheType type, Throwable err, Runnable done) {
    if (closed) {
      return;
    }
    if (err != null) {
      status.error(type.name().toLowerCase(java.util.Locale.ROOT) + ": " + err.getMessage());
      return;
    }
    status.reachable(true);
    try {
      done.run();
    } catch (RuntimeException e) {
      status.error("initial sync of " + type + ": " + KubernetesErrors.summary(e));
      LOG.warn("cluster={} op=sync.initial type={} failed=\"{}\"", cluster, type, KubernetesErrors.summary(e));
    }
  }

  /** Retries forever on connection errors, and restarts an informer that stopped anyway. */
  private void supervise(SharedIndexInformer<?> inf, CacheType type) {
    inf.exceptionHandler((started, t) -> {
      status.reachable(false);
      status.error(t.getClass().getSimpleName() + ": " + t.getMessage());
      LOG.debug("cluster={} op=sync.watch type={} error=\"{}\" retry=true", cluster, type, t.getMessage());
      return !ExceptionHandler.isDeserializationException(t);
    });
    synchronized (informers) {
      informers.add(inf);
    }
    inf.stopped().whenComplete((v, err) -> {
      if (!closed) {
        LOG.warn("cluster={} op=sync.informer type={} stopped=\"{}\" restartIn={}", cluster, type, err == null ? "" : err.getMessage(), RESTART_DELAY);
        supervisor.schedule(this::restart, RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  /** Object id to resourceVersion, listed from the member in pages (never the whole kind in one answer). */
  private static <T extends HasMetadata, L extends io.fabric8.kubernetes.api.model.KubernetesResourceList<T>> Map<String, String> versions(
      io.fabric8.kubernetes.client.dsl.Listable<L> op) {
    Map<String, String> out = new java.util.HashMap<>();
    String next = null;
    do {
      L page = op.list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(500L).withContinue(next).build());
      for (T o : page.getItems()) {
        out.put(KindSync.id(o), o.getMetadata().getResourceVersion());
      }
      next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return out;
  }

  private Map<CacheType, Map<String, String>> differences() {
    Map<CacheType, Map<String, String>> out = new java.util.EnumMap<>(CacheType.class);
    audited.forEach((type, a) -> {
      // Only kinds whose initial list is done: before that, the cache is legitimately behind.
      if (status.synced(type)) {
        Map<String, String> d = SyncAudit.differences(a.lister().get(), a.applied().get());
        if (!d.isEmpty()) {
          out.put(type, d);
        }
      }
    });
    return out;
  }

  /** One audit: list, compare; on differences, compare again after the recheck delay. */
  private void audit() {
    if (closed || !wasReachable) {
      return;
    }
    try {
      Map<CacheType, Map<String, String>> first = differences();
      status.audited(clock.instant());
      if (first.isEmpty()) {
        return;
      }
      LOG.info("cluster={} op=sync.audit suspects={} recheckIn={}", cluster, first.values().stream().mapToInt(Map::size).sum(), auditRecheck);
      auditor.schedule(() -> recheck(first), auditRecheck.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.debug("cluster={} op=sync.audit skipped=\"{}\"", cluster, e.getMessage());
    }
  }

  private void recheck(Map<CacheType, Map<String, String>> first) {
    if (closed) {
      return;
    }
    try {
      Map<CacheType, Map<String, String>> second = differences();
      int missed = 0;
      for (Map.Entry<CacheType, Map<String, String>> e : first.entrySet()) {
        Set<String> lost = SyncAudit.persistent(e.getValue(), second.getOrDefault(e.getKey(), Map.of()));
        if (!lost.isEmpty()) {
          missed += lost.size();
          status.missedEvents(e.getKey(), lost.size());
          LOG.warn("cluster={} op=sync.audit type={} missedEvents={} examples={} action=relist", cluster,
              e.getKey().name().toLowerCase(java.util.Locale.ROOT), lost.size(), lost.stream().limit(5).toList());
        }
      }
      if (missed > 0) {
        // The watch went quiet without failing: list everything again (the sweep removes what was deleted).
        restart();
      }
    } catch (RuntimeException e) {
      LOG.debug("cluster={} op=sync.audit recheck skipped=\"{}\"", cluster, e.getMessage());
    }
  }

  /** Test hook: drop informer events of {@code type}, as a watch that goes quiet without failing would. */
  void muteEvents(CacheType type, boolean mute) {
    if (mute) {
      muted.add(type);
    } else {
      muted.remove(type);
    }
  }

  /** Passes events on unless the type is muted (see {@link #muteEvents}). */
  private final class MutableHandler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final CacheType type;
    private final ResourceEventHandler<T> delegate;

    MutableHandler(CacheType type, ResourceEventHandler<T> delegate) {
      this.type = type;
      this.delegate = delegate;
    }

    @Override
    public void onAdd(T obj) {
      if (!muted.contains(type)) {
        delegate.onAdd(obj);
      }
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      if (!muted.contains(type)) {
        delegate.onUpdate(oldObj, newObj);
      }
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      if (!muted.contains(type)) {
        delegate.onDelete(obj, deletedFinalStateUnknown);
      }
    }
  }

  private synchronized void restart() {
    if (closed) {
      return;
    }
    stopInformers();
    start();
  }

  /** Writes a waiting endpoint's keys now that it owns its IP (see {@code handover}). */
  public void reapplyEndpoint(io.meshfed.controller.sync.convert.EndpointRef ref) {
    SharedIndexInformer<GenericKubernetesResource> inf = endpointInformer;
    EndpointSync sync = endpointSync;
    if (closed || inf == null || sync == null) {
      return;
    }
    GenericKubernetesResource ep = inf.getStore().getByKey(ref.namespace() + "/" + ref.name());
    if (ep != null) {
      // Same resourceVersion as before, but the IP it waited for is free now: convert again.
      sync.applyNow(ep);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    stopInformers();
    if (sink instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("cluster={} op=sync.stop sinkClose=\"{}\"", cluster, e.getMessage());
      }
    }
    LOG.info("cluster={} op=sync.stop", cluster);
  }

  private void stopInformers() {
    if (probe != null) {
      probe.cancel(false);
    }
    if (audit != null) {
      audit.cancel(false);
    }
    audited.clear();
    synchronized (informers) {
      informers.forEach(SharedIndexInformer::stop);
      informers.clear();
    }
    if (client != null) {
      client.close();
    }
  }

  private static ResourceDefinitionContext crd(String plural, String kind, boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2").withPlural(plural).withKind(kind)
        .withNamespaced(namespaced).build();
  }

  /** Endpoints: an IP owned by another cluster's endpoint is refused, the first owner stays. */
  private final class EndpointSync extends KindSync<GenericKubernetesResource> {
    private final EndpointConverter converter;

    EndpointSync(EndpointConverter converter) {
      super(SyncSession.this.cluster, CacheType.IP, SyncSession.this.sink, SyncSession.this.status);
      this.converter = converter;
    }

    @Override
    protected Conversion convert(GenericKubernetesResource o) {
      EndpointConversion c = converter.convert(o);
      if (!(c.conversion() instanceof Conversion.Entries)) {
        return c.conversion();
      }
      List<KeyValue> accepted = new ArrayList<>();
      for (Map.Entry<io.meshfed.api.kvstore.IpAddress, KeyValue> e : c.entriesByIp().entrySet()) {
        var claim = ips.claim(member.name(), e.getKey(), c.endpoint());
        if (claim.accepted()) {
          accepted.add(e.getValue());
        } else {
          status.refused(CacheType.IP, id(o), claim.finding().map(f -> f.message()).orElse("IP is owned by another endpoint"));
        }
      }
      return new Conversion.Entries(accepted);
    }

    @Override
    protected void released(String object, Set<String> keys) {
      int slash = object.indexOf('/');
      io.meshfed.controller.sync.convert.EndpointRef ref = new io.meshfed.controller.sync.convert.EndpointRef(object.substring(0, slash), object.substring(slash + 1));
      for (String key : keys) {
        // cilium/cache/ip/v1/<c>/<ip>: the IP is the last segment
        String ip = key.substring(key.lastIndexOf('/') + 1);
        try {
          var result = ips.release(member.name(), io.meshfed.api.kvstore.IpAddress.parse("ip", ip), ref);
          if (result instanceof io.meshfed.controller.sync.convert.IpRelease.HandedOver h) {
            // Asynchronously: the new owner's session takes its own lock to write the key.
            supervisor.execute(() -> handover.accept(h.newPrimary()));
          }
        } catch (RuntimeException ignored) {
          // a key we wrote always parses; nothing to release otherwise
        }
      }
    }
  }

  /** Services: recomputed from the Service and its EndpointSlices whenever either changes. */
  private final class ServiceSync extends KindSync<Service> {
    private final ServiceConverter converter;
    private final SharedIndexInformer<EndpointSlice> slices;
    SharedIndexInformer<Service> services;

    ServiceSync(ServiceConverter converter, SharedIndexInformer<EndpointSlice> slices) {
      super(SyncSession.this.cluster, CacheType.SERVICES, SyncSession.this.sink, SyncSession.this.status);
      this.converter = converter;
      this.slices = slices;
    }

    /** A Service's keys also depend on its EndpointSlices, so its own version says too little. */
    @Override
    protected String version(Service s) {
      return null;
    }

    @Override
    protected Conversion convert(Service s) {
      List<EndpointSlice> mine = slices.getIndexer().byIndex(BY_SERVICE, s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());
      return converter.convert(s, mine).conversion();
    }

    void sliceChanged(EndpointSlice slice) {
      if (services == null || slice.getMetadata().getLabels() == null) {
        return;
      }
      String name = slice.getMetadata().getLabels().get("kubernetes.io/service-name");
      if (name == null) {
        return;
      }
      Service s = services.getStore().getByKey(slice.getMetadata().getNamespace() + "/" + name);
      if (s != null) {
        apply(s);
      }
    }
  }
}
