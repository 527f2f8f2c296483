package io.meshfed.controller.runtime;

import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.KeyMatch;
import io.meshfed.certs.Passphrase;
import io.meshfed.certs.Pem;
import io.meshfed.certs.SecretBox;
import io.meshfed.certs.TrustBundle;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.controller.clusters.CredentialRenewer;
import io.meshfed.controller.sync.EtcdCacheSink;
import io.meshfed.controller.sync.SyncManager;
import io.meshfed.controller.sync.kv.ClusterDataRemover;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeaderElection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.meshfed.controller.clustermesh.ClusterMeshSecretReconciler;
import io.meshfed.controller.clusters.LeaveService;
import io.meshfed.controller.config.ControllerConfig;
import io.meshfed.controller.http.ApiServer;
import io.meshfed.controller.policy.PolicyService;
import io.meshfed.controller.policy.rollout.PolicyRollout;
import io.meshfed.controller.policy.rollout.RolloutSettings;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.join.JoinService;
import io.meshfed.controller.join.MemberSecretWriter;
import io.meshfed.controller.store.CaRecord;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.StoreException;
import io.meshfed.controller.tokens.TokenService;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: loads its configuration and keys, connects to etcd as its own user,
 * rolls back joins that an earlier life left half-done, and serves the HTTPS API. Stops
 * gracefully: no new requests, in-flight ones finish, then etcd and Vert.x close.
 */
public final class Controller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  private static final long REVOCATION_REFRESH_MS = 10_000;
  /** Lifetime of the member ServiceAccount tokens the controller requests when it renews. */
  public static final java.time.Duration MEMBER_TOKEN_TTL = java.time.Duration.ofHours(1);

  private final Vertx vertx;
  private final MeshStore store;
  private final HttpServer server;
  private final HttpServer grpc;
  private final String instanceId;

  private final Runnable stopBackground;
  private final LeaderElection election;

  private Controller(Vertx vertx, MeshStore store, HttpServer server, HttpServer grpc, String instanceId, LeaderElection election,
      Runnable stopBackground) {
    this.stopBackground = stopBackground;
    this.election = election;
    this.grpc = grpc;
    this.vertx = vertx;
    this.store = store;
    this.server = server;
    this.instanceId = instanceId;
  }

  public static Controller start(ControllerConfig config, Passphrase passphrase, Clock clock) throws Exception {
    Fips.installAndCheck();
    String instanceId = UUID.randomUUID().toString();
    CertifiedKey serverIdentity = loadIdentity(config.tls().certFile(), config.tls().keyFile(), passphrase);
    TrustBundle clientTrust = TrustBundle.parse(config.tls().trustedCaFile(), Pem.readText(Path.of(config.tls().trustedCaFile())));
    CertifiedKey etcdIdentity = loadIdentity(config.etcd().certFile(), config.etcd().keyFile(), passphrase);
    TrustBundle etcdTrust = TrustBundle.parse(config.etcd().trustedCaFile(), Pem.readText(Path.of(config.etcd().trustedCaFile())));
    EtcdAccess access = new EtcdAccess(config.etcd().endpoints(), etcdIdentity, etcdTrust);
    LOG.info("op=start instance={} etcd={} etcdUser={} {}", instanceId, config.etcd().endpoints(), access.user(), Fips.describe());

    MeshStore store = new MeshStore(access.connect());
    try {
      store.checkSchema();
      MeshRecord mesh = store.mesh().orElseThrow(() -> new StoreException("mesh", "not bootstrapped"));
      if (!mesh.name().equals(config.mesh())) {
        throw new StoreException("mesh", "etcd holds mesh \"" + mesh.name() + "\" but the configuration says \"" + config.mesh() + "\"");
      }
      CaRecord ca = store.ca();
      X509Certificate rootCert = Pem.decodeCertificate("meshfed/ca rootCertificatePem", ca.rootCertificatePem());
      PrivateKey rootKey = Pem.decodePrivateKey("meshfed/ca rootKeyEncryptedPem", ca.rootKeyEncryptedPem(), passphrase);
      KeyMatch.require("meshfed/ca rootKeyEncryptedPem", rootCert, rootKey);
      TrustBundle bundle = TrustBundle.parse("meshfed/ca bundlePem", ca.bundlePem());
      CaSigner signer = new CaSigner(mesh.name(), CertifiedKey.selfContained(rootCert, rootKey), bundle, new CertificateIssuer(clock, FipsRandom.get()));
      SecretBox box = SecretBox.derive(passphrase, Base64.getDecoder().decode(mesh.secretSalt()));

      EtcdAdmin etcdAdmin = new EtcdAdmin(signer, config.etcd().endpoints(), etcdTrust);
      Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(config.workerPoolSize()));
      ClusterMeshSecretReconciler clusterMesh = new ClusterMeshSecretReconciler(store, box, new MemberSecretWriter(), etcdAdmin, signer.bundle());
      ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "meshfed-sync-markers");
        t.setDaemon(true);
        return t;
      });
      MaxConnectedClusters max = MaxConnectedClusters.of(mesh.maxConnectedClusters());
      // Leader-only work starts when this replica is elected; every write it makes is fenced.
      LeaderDuties[] duties = new LeaderDuties[1];
      io.meshfed.controller.health.SyncStatusBoard board = new io.meshfed.controller.health.SyncStatusBoard(store.client().getKVClient());
      LeaderElection election = new LeaderElection(store.client(), instanceId,
          java.time.Duration.ofSeconds(config.leaderLeaseSeconds() == null ? ControllerConfig.DEFAULT_LEADER_LEASE_SECONDS : config.leaderLeaseSeconds()),
          clock, new LeaderElection.Listener() {
            @Override
            public void elected(Fence.Token token) {
              duties[0].elected(token);
            }

            @Override
            public void deposed(String reason) {
              duties[0].deposed(reason);
            }
          });
      Fence fence = election.fence();
      SyncManager sync = new SyncManager(store, box, clock,
          (name, id) -> new EtcdCacheSink(store.client(), ClusterName.parse(name), id, max, scheduler, clock, fence))
          .withCacheTtl(java.time.Duration.ofSeconds(config.cacheTtlSeconds()))
          .withAuditInterval(java.time.Duration.ofSeconds(config.syncAuditSeconds() == null ? ControllerConfig.DEFAULT_SYNC_AUDIT_SECONDS : config.syncAuditSeconds()));
      sync.pause();
      PolicyStore policyStore = new PolicyStore(store.client());
      RolloutSettings rolloutSettings = RolloutSettings.defaults().withResyncInterval(java.time.Duration.ofSeconds(config.policyResyncSeconds()));
      ClusterDataRemover remover = new ClusterDataRemover(store.client(), java.time.Duration.ofSeconds(config.leaveGraceSeconds()),
          java.time.Duration.ofSeconds(15), fence, io.meshfed.controller.store.MeshKeys.CLUSTERS);
      // Deleting a member's synced data is leader work (fenced): a leave served by a follower leaves
      // it to the leader, whose membership poll sweeps the data of clusters that are no members.
      java.util.function.Consumer<String> removeDataLater = name -> {
        if (!election.isLeader()) {
          LOG.info("cluster={} op=leave.data deferred=leader (this replica follows; the leader's orphan sweep removes the data)", name);
          return;
        }
        remover.remove(ClusterName.parse(name)).whenComplete((r, err) -> {
          if (err != null) {
            LOG.warn("cluster={} op=leave.data failed=\"{}\" (swept by the leader's next orphan sweep)", name, err.getMessage());
          } else {
            LOG.info("cluster={} op=leave.data deletedKeys={} rejoined={}", name, r.dataKeysDeleted(), r.rejoined());
          }
        });
      };
      duties[0] = new LeaderDuties(vertx, store, sync, clusterMesh,
          writesFencedBy -> new PolicyRollout(store, policyStore.fencedBy(writesFencedBy), box, clock, rolloutSettings),
          new CredentialRenewer(store, box, clock, MEMBER_TOKEN_TTL), removeDataLater, scheduler, clock, fence, election::liveInstances,
          board, policyStore);
      RevocationList revocations = new RevocationList();
      revocations.addAll(store.revokedSerials());
      MemberSecretWriter writer = new MemberSecretWriter();
      TokenService tokens = new TokenService(store, clock);
      JoinService join = new JoinService(store, tokens, signer, box, writer, clock, instanceId, etcdAdmin, duties[0]::membershipChanged);
      duties[0].withJoin(join);
      LeaveService leave = new LeaveService(store, box, writer, revocations, clock, etcdAdmin, duties[0]::membershipChanged,
          duties[0]::memberLeaving, removeDataLater);
      vertx.setPeriodic(REVOCATION_REFRESH_MS, id -> vertx.executeBlocking(() -> {
        revocations.addAll(store.revokedSerials());
        return null;
      }, false));
      io.meshfed.controller.health.AgentReportStore agentReports = new io.meshfed.controller.health.AgentReportStore(store.client());
      io.meshfed.controller.health.HealthService health = new io.meshfed.controller.health.HealthService(store, agentReports,
          // The leader judges its live sessions; a follower what the leader last published.
          name -> election.isLeader() ? sync.status(name).map(io.meshfed.controller.health.HealthService::syncFacts) : board.read(name),
          name -> policyFacts(policyStore, name), clock);
      io.meshfed.controller.health.HealthMetrics healthMetrics = new io.meshfed.controller.health.HealthMetrics();
      io.micrometer.core.instrument.Gauge.builder("meshfed.leader", election, e -> e.isLeader() ? 1 : 0)
          .description("1 while this controller replica is the leader, else 0")
          .tag("instance", instanceId).register(healthMetrics.registry());
      ApiServer api = new ApiServer(vertx, store, tokens, join, leave, signer, revocations, sync)
          .withHealth(health, healthMetrics)
          .withPolicies(new PolicyService(store, policyStore, clock, duties[0]::policiesChanged))
          .withLeader(() -> leaderView(election))
          .withRateLimits(config.joinRatePerMinute() == null ? ControllerConfig.DEFAULT_JOIN_RATE_PER_MINUTE : config.joinRatePerMinute(),
              config.tokenRatePerMinute() == null ? ControllerConfig.DEFAULT_TOKEN_RATE_PER_MINUTE : config.tokenRatePerMinute(), clock);
      HttpServerOptions options = MeshTls.mutualTlsServer(new HttpServerOptions(), serverIdentity, clientTrust)
          // Join clients have no certificate yet: ask for one, verify it if given, require it per route.
          .setClientAuth(ClientAuth.REQUEST)
          .setHost(config.listen().host())
          .setPort(config.listen().port());
      HttpServer server = vertx.createHttpServer(options).requestHandler(api.router())
          .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      io.meshfed.controller.health.AgentReportServer reportServer = new io.meshfed.controller.health.AgentReportServer(vertx, agentReports,
          revocations::isRevoked, name -> store.cluster(name).map(v -> v.value().state() == io.meshfed.controller.store.ClusterRecord.State.JOINED).orElse(false),
          clock, config.reportIntervalSeconds() == null ? ControllerConfig.DEFAULT_REPORT_INTERVAL_SECONDS : config.reportIntervalSeconds(),
          config.healthStreamIdleIntervals() == null ? ControllerConfig.DEFAULT_HEALTH_STREAM_IDLE_INTERVALS : config.healthStreamIdleIntervals());
      HttpServer grpc = reportServer.listen(MeshTls.mutualTlsServer(new HttpServerOptions(), serverIdentity, clientTrust)
              .setClientAuth(ClientAuth.REQUIRED)
              .setHost(config.listen().host())
              .setPort(config.grpcPort() == null ? ControllerConfig.DEFAULT_GRPC_PORT : config.grpcPort()))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      String advertisedHost = config.advertiseUrl() == null ? config.listen().host() : java.net.URI.create(config.advertiseUrl()).getHost();
      join.withAgentAddress(advertisedHost + ":" + grpc.actualPort());
      // Campaign once the API serves: one transaction; a single replica wins it and has started
      // its leader work when this returns. Followers serve the API and gRPC all the same.
      election.start();
      LOG.info("op=start listening=https://{}:{} grpc={}:{} mesh={} members={}", config.listen().host(), server.actualPort(),
          config.listen().host(), grpc.actualPort(), mesh.name(), store.clusters().size());
      return new Controller(vertx, store, server, grpc, instanceId, election, () -> {
        election.close();
        duties[0].close();
        sync.close();
        scheduler.shutdownNow();
      });
    } catch (Exception e) {
      store.close();
      throw e;
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** The port agents stream health to (gRPC over mTLS). */
  public int grpcPort() {
    return grpc.actualPort();
  }

  public String instanceId() {
    return instanceId;
  }

  /** Whether this replica leads now (runs sync, policy rollout and the other leader work). */
  public boolean isLeader() {
    return election.isLeader();
  }

  @Override
  public void close() {
    LOG.info("op=stop instance={}", instanceId);
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      grpc.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      stopBackground.run();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("op=stop unclean={}", e.toString());
    } finally {
      store.close();
    }
  }

  /** {@code GET /api/v1/leader}: the leader as etcd says, and this replica's part. */
  private static java.util.Map<String, Object> leaderView(LeaderElection election) {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("leader", election.observedLeader().orElse(null));
    java.util.Map<String, Object> self = new java.util.LinkedHashMap<>();
    self.put("instance", election.instanceId());
    self.put("leader", election.isLeader());
    election.term().ifPresent(t -> {
      self.put("since", t.since().toString());
      self.put("token", t.token().revision());
    });
    out.put("self", self);
    out.put("leaseSeconds", election.ttl().toSeconds());
    return out;
  }

  /** A member's policy rollout as health sees it: counts per state and the reasons of the first problems. */
  private static io.meshfed.controller.health.ClusterFacts.PolicyFacts policyFacts(PolicyStore policies, String cluster) {
    int inSync = 0;
    int pending = 0;
    int drifted = 0;
    int failed = 0;
    List<String> problems = new java.util.ArrayList<>();
    List<io.meshfed.controller.policy.store.PolicyStatusRecord> all = policies.statuses(cluster).stream().filter(r -> !r.removal()).toList();
    for (var r : all) {
      switch (r.state()) {
        case IN_SYNC -> inSync++;
        case PENDING -> pending++;
        case DRIFTED -> drifted++;
        case FAILED -> failed++;
      }
      if (r.state() != io.meshfed.controller.policy.store.PolicyState.IN_SYNC && problems.size() < 3) {
        problems.add(r.policy() + " " + r.state() + (r.reason() == null ? "" : " (" + r.reason() + ")"));
      }
    }
    return new io.meshfed.controller.health.ClusterFacts.PolicyFacts(all.size(), inSync, pending, drifted, failed, problems);
  }

  private static CertifiedKey loadIdentity(String certFile, String keyFile, Passphrase passphrase) {
    List<X509Certificate> certs = Pem.readCertificates(Path.of(certFile));
    PrivateKey key = Pem.decodePrivateKey(keyFile, Pem.readText(Path.of(keyFile)), passphrase);
    KeyMatch.require(keyFile, certs.get(0), key);
    return new CertifiedKey(certs.get(0), key, certs.subList(1, certs.size()));
  }
}
