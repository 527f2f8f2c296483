package io.meshfed.controller.http;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.certs.CertificateInfo;
import io.meshfed.controller.bootstrap.Bootstrap;
import io.meshfed.controller.clusters.ClusterView;
import io.meshfed.controller.clusters.LeaveService;
import io.meshfed.controller.join.JoinRequest;
import io.meshfed.controller.join.JoinService;
import io.meshfed.controller.runtime.CaSigner;
import io.meshfed.controller.runtime.RevocationList;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.StoreException;
import io.meshfed.controller.store.TokenRecord;
import io.meshfed.controller.tokens.TokenService;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS API. Handlers never block the event loop: every etcd or member call runs on the
 * worker pool through {@link #blocking}. Admin endpoints require the admin client certificate
 * (identity from the certificate only; revoked serials refused). Join endpoints are the one
 * exception to client certificates: the joining side has none yet and proves itself with the
 * join token, after it pinned the mesh CA with {@code --ca-hash}.
 */
public final class ApiServer {
  /** Request bodies above this are refused with 413. */
  public static final long BODY_LIMIT = 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final Vertx vertx;
  private final MeshStore store;
  private final TokenService tokens;
  private final JoinService join;
  private final LeaveService leave;
  private final CaSigner signer;
  private final RevocationList revocations;
  private final io.meshfed.controller.sync.SyncManager sync;
  private io.meshfed.controller.policy.PolicyService policies;

  public ApiServer(Vertx vertx, MeshStore store, TokenService tokens, JoinService join, LeaveService leave, CaSigner signer, RevocationList revocations,
      io.meshfed.controller.sync.SyncManager sync) {
    this.sync = sync;
    this.vertx = vertx;
    this.store = store;
    this.tokens = tokens;
    this.join = join;
    this.leave = leave;
    this.signer = signer;
    this.revocations = revocations;
  }

  /** Serves the policy routes too (see {@link PolicyRoutes}). */
  public ApiServer withPolicies(io.meshfed.controller.policy.PolicyService policies) {
    this.policies = policies;
    return this;
  }

  /** Token creation as the API takes it. */
  public record CreateTokenBody(String ttl, Integer uses, String clusterName, String description) {}

  /** Body of {@code POST /api/v1/join/outcome}: the cluster the lost join was for. */
  public record JoinOutcomeRequest(String clusterName) {}

  /** What token creation answers; the only time the secret is shown. */
  public record CreatedToken(String token, String id, String caHash, Instant expiresAt, int uses, String clusterName) {}

  private io.meshfed.controller.health.HealthService health;
  private io.meshfed.controller.health.HealthMetrics metrics;

  /** Serves /api/v1/health, /api/v1/clusters/{name}/health and /metrics. */
  public ApiServer withHealth(io.meshfed.controller.health.HealthService health, io.meshfed.controller.health.HealthMetrics metrics) {
    this.health = health;
    this.metrics = metrics;
    return this;
  }

  private java.util.function.Supplier<Map<String, Object>> leader;

  /** Serves {@code GET /api/v1/leader}: who leads according to etcd, and this replica. */
  public ApiServer withLeader(java.util.function.Supplier<Map<String, Object>> leader) {
    this.leader = leader;
    return this;
  }

  private RateLimiter joinLimit = RateLimiter.perMinute("POST /api/v1/join", 0, java.time.Clock.systemUTC());
  private RateLimiter preflightLimit = RateLimiter.perMinute("POST /api/v1/join/preflight", 0, java.time.Clock.systemUTC());
  private RateLimiter tokenLimit = RateLimiter.perMinute("POST /api/v1/tokens", 0, java.time.Clock.systemUTC());
  private RateLimiter outcomeLimit = RateLimiter.perMinute("POST /api/v1/join/outcome", 0, java.time.Clock.systemUTC());

  /**
   * Limits join and preflight requests per remote IP and token creation per client certificate
   * (0 = unlimited); over the limit is a 429 with Retry-After.
   */
  public ApiServer withRateLimits(int joinPerMinute, int tokensPerMinute, java.time.Clock clock) {
    this.joinLimit = RateLimiter.perMinute("POST /api/v1/join", joinPerMinute, clock);
    this.preflightLimit = RateLimiter.perMinute("POST /api/v1/join/preflight", joinPerMinute, clock);
    this.tokenLimit = RateLimiter.perMinute("POST /api/v1/tokens", tokensPerMinute, clock);
    // A join that lost its answer asks every 2 s for up to 2 minutes: six times the join rate.
    this.outcomeLimit = RateLimiter.perMinute("POST /api/v1/join/outcome", joinPerMinute * 6, clock);
    return this;
  }

  private static String remoteIp(RoutingContext ctx) {
    var a = ctx.request().remoteAddress();
    return a == null ? "-" : a.hostAddress();
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    r.get("/livez").handler(ctx -> json(ctx, 200, Map.of("status", "ok")));
    r.get("/readyz").handler(this::ready);
    r.get("/api/v1/whoami").handler(ctx -> json(ctx, 200, identified(ctx)));
    r.get("/api/v1/join/ca").handler(ctx -> json(ctx, 200, Map.of(
        "bundle", signer.bundle().toPem(),
        "caHash", CertificateInfo.publicKeyPin(signer.bundle().newest()))));
    r.post("/api/v1/join/preflight").handler(ctx -> {
      preflightLimit.acquire(remoteIp(ctx));
      JoinRequest req = JsonBodies.read(ctx, JoinRequest.class);
      String bearer = bearer(ctx);
      blocking(ctx, 200, () -> Map.of("findings", join.preflight(req, bearer).stream()
          .map(f -> new ApiError.Finding(f.field(), f.message())).toList()));
    });
    r.post("/api/v1/join").handler(ctx -> {
      joinLimit.acquire(remoteIp(ctx));
      JoinRequest req = JsonBodies.read(ctx, JoinRequest.class);
      String bearer = bearer(ctx);
      blocking(ctx, 201, () -> join.join(req, bearer));
    });
    // What became of a join whose answer the CLI lost (the controller died or the connection
    // broke mid-request): authenticated by the join's own token, spent or not.
    r.post("/api/v1/join/outcome").handler(ctx -> {
      outcomeLimit.acquire(remoteIp(ctx));
      JoinOutcomeRequest req = JsonBodies.read(ctx, JoinOutcomeRequest.class);
      String bearer = bearer(ctx);
      io.meshfed.api.cluster.ClusterName.check("clusterName", req.clusterName()).ifPresent(f -> {
        throw ApiException.badRequest(f.field(), f.message());
      });
      blocking(ctx, 200, () -> join.outcome(req.clusterName(), bearer));
    });
    r.post("/api/v1/tokens").handler(ctx -> {
      admin(ctx);
      PeerIdentity caller = PeerIdentity.of(ctx);
      tokenLimit.acquire(caller.commonName() + "/" + caller.serialHex());
      CreateTokenBody body = JsonBodies.read(ctx, CreateTokenBody.class);
      Duration ttl = body.ttl() == null ? TokenService.DEFAULT_TTL : DurationParser.parse("ttl", body.ttl());
      int uses = body.uses() == null ? 1 : body.uses();
      blocking(ctx, 201, () -> {
        TokenService.Created c = tokens.create(ttl, uses, body.clusterName(), body.description());
        return new CreatedToken(c.token().toString(), c.token().id(), CertificateInfo.publicKeyPin(signer.bundle().newest()),
            c.record().expiresAt(), c.record().usesLeft(), c.record().clusterName());
      });
    });
    r.get("/api/v1/tokens").handler(ctx -> {
      admin(ctx);
      blocking(ctx, 200, () -> Map.of("tokens", tokens.list().stream().map(ApiServer::tokenView).toList()));
    });
    r.delete("/api/v1/tokens/:id").handler(ctx -> {
      admin(ctx);
      String id = ctx.pathParam("id");
      blocking(ctx, 200, () -> {
        tokens.revoke(id);
        return Map.of("revoked", id);
      });
    });
    r.get("/api/v1/clusters").handler(ctx -> {
      admin(ctx);
      blocking(ctx, 200, () -> Map.of("clusters", store.clusters().stream().map(ClusterView::of)
          .sorted(java.util.Comparator.comparing(ClusterView::name)).toList()));
    });
    r.get("/api/v1/clusters/:name").handler(ctx -> {
      admin(ctx);
      String name = ctx.pathParam("name");
      blocking(ctx, 200, () -> store.cluster(name).map(v -> ClusterView.of(v.value()))
          .orElseThrow(() -> ApiException.notFound("cluster", "\"" + name + "\" is not a member of the mesh")));
    });
    r.get("/api/v1/services").handler(ctx -> {
      admin(ctx);
      blocking(ctx, 200, () -> Map.of("services", io.meshfed.controller.sync.GlobalServices.read(store)));
    });
    r.get("/api/v1/clusters/:name/sync").handler(ctx -> {
      admin(ctx);
      String name = ctx.pathParam("name");
      blocking(ctx, 200, () -> sync.view(name)
          .orElseThrow(() -> ApiException.notFound("cluster", "no sync session for \"" + name + "\" (not a joined member)")));
    });
    if (health != null) {
      healthRoutes(r);
    }
    r.delete("/api/v1/clusters/:name").handler(ctx -> {
      admin(ctx);
      String name = ctx.pathParam("name");
      boolean dryRun = "true".equals(ctx.queryParams().get("dryRun"));
      blocking(ctx, 200, () -> Map.of("cluster", name, "dryRun", dryRun, "steps", leave.leave(name, dryRun)));
    });
    if (policies != null) {
      new PolicyRoutes(this, policies).register(r);
    }
    r.route().last().handler(ctx -> fail(ctx, ApiException.notFound("path", "no route for " + ctx.request().method() + " " + ctx.request().path())));
    r.route().failureHandler(ctx -> {
      Throwable t = ctx.failure();
      if (t == null) {
        int code = ctx.statusCode();
        fail(ctx, new ApiException(code, code == 413 ? "PayloadTooLarge" : "Error", "body", code == 413
            ? "request body exceeds " + BODY_LIMIT + " bytes" : "HTTP " + code));
      } else {
        fail(ctx, t);
      }
    });
    return r;
  }

  /**
   * Health is read by dashboards, alerts and scripts: any mesh client certificate that is not
   * revoked may read it (issue one for monitoring with {@code meshfed ca issue}); nothing secret is in it.
   */
  private void healthRoutes(Router r) {
    r.get("/api/v1/health").handler(ctx -> {
      identified(ctx);
      blocking(ctx, 200, () -> health.mesh());
    });
    r.get("/api/v1/clusters/:name/health").handler(ctx -> {
      identified(ctx);
      String name = ctx.pathParam("name");
      blocking(ctx, 200, () -> health.cluster(name)
          .orElseThrow(() -> ApiException.notFound("cluster", "\"" + name + "\" is not a member of the mesh")));
    });
    r.get("/api/v1/leader").handler(ctx -> {
      identified(ctx);
      if (leader == null) {
        throw ApiException.notFound("leader", "this controller runs no leader election");
      }
      blocking(ctx, 200, () -> leader.get());
    });
    r.get("/metrics").handler(ctx -> {
      identified(ctx);
      vertx.executeBlocking(() -> {
        var detailed = health.clusters();
        metrics.update(health.summarize(detailed), detailed);
        return metrics.scrape();
      }, false).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        } else {
          fail(ctx, ar.cause());
        }
      });
    });
  }

  private void ready(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      store.revision();
      return true;
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, Map.of("status", "ready"));
      } else {
        json(ctx, 503, new ApiError("NotReady", "etcd is not reachable: " + ar.cause().getMessage(), "etcd", null));
      }
    });
  }

  /** Any mesh client certificate that is not revoked; the identity is the certificate's, never the request's. */
  private PeerIdentity identified(RoutingContext ctx) {
    PeerIdentity peer = PeerIdentity.of(ctx);
    if (peer == null) {
      throw ApiException.unauthorized("this endpoint needs a mesh client certificate");
    }
    if (revocations.isRevoked(peer.serialHex())) {
      throw ApiException.unauthorized("client certificate serial " + peer.serialHex() + " is revoked");
    }
    return peer;
  }

  void admin(RoutingContext ctx) {
    PeerIdentity peer = PeerIdentity.of(ctx);
    if (peer == null) {
      throw ApiException.unauthorized("this endpoint needs the admin client certificate (see meshfed.yaml from bootstrap)");
    }
    identified(ctx);
    if (!Bootstrap.ADMIN_CN.equals(peer.commonName())) {
      throw ApiException.forbidden("\"" + peer.commonName() + "\" is not an admin identity");
    }
  }

  private static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      throw ApiException.unauthorized("token: an Authorization: Bearer <join token> header is required");
    }
    return h.substring("Bearer ".length()).trim();
  }

  <T> void blocking(RoutingContext ctx, int status, Callable<T> work) {
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, status, ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private static Map<String, Object> tokenView(TokenRecord t) {
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", t.id());
    m.put("usesLeft", t.usesLeft());
    m.put("expiresAt", t.expiresAt().toString());
    m.put("createdAt", t.createdAt().toString());
    if (t.clusterName() != null) {
      m.put("clusterName", t.clusterName());
    }
    if (t.description() != null) {
      m.put("description", t.description());
    }
    return m;
  }

  static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(JsonBodies.write(body));
  }

  static void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof io.meshfed.controller.policy.PolicyRejected p) {
      json(ctx, 422, PolicyRoutes.rejection(p));
    } else if (t instanceof JoinService.PreflightFailed p) {
      json(ctx, 422, new ApiError(p.code(), p.getMessage(), p.field(),
          p.findings().stream().map(f -> new ApiError.Finding(f.field(), f.message())).toList()));
    } else if (t instanceof RateLimiter.Limited l) {
      LOG.warn("op=api.rate-limited path={} remote={} retryAfter={}s", ctx.request().path(), remoteIp(ctx), l.retryAfterSeconds());
      ctx.response().putHeader("Retry-After", String.valueOf(l.retryAfterSeconds()));
      json(ctx, 429, new ApiError(l.code(), l.getMessage(), l.field(), null));
    } else if (t instanceof ApiException a) {
      json(ctx, a.status(), new ApiError(a.code(), a.getMessage(), a.field(), null));
    } else if (t instanceof InvalidValueException v) {
      json(ctx, 400, new ApiError("BadRequest", v.getMessage(), v.field(), null));
    } else if (t instanceof StoreException s) {
      boolean unavailable = String.valueOf(s.getMessage()).contains("did not answer") || String.valueOf(s.getMessage()).contains("refused or failed");
      json(ctx, unavailable ? 503 : 409, new ApiError(unavailable ? "StoreUnavailable" : "Conflict", s.getMessage(), s.field(), null));
    } else {
      LOG.error("op=api.request path={} failed unexpectedly", ctx.request().path(), t);
      json(ctx, 500, new ApiError("Internal", "internal error: " + t.getClass().getSimpleName(), null, null));
    }
  }

  /** Parses 15m, 1h, 90s, 1h30m, 2d. */
  public static final class DurationParser {
    private DurationParser() {}

    public static Duration parse(String field, String text) {
      var m = java.util.regex.Pattern.compile("(\\d+)([dhms])").matcher(text == null ? "" : text.trim());
      Duration total = Duration.ZERO;
      int end = 0;
      while (m.find()) {
        if (m.start() != end) {
          break;
        }
        try {
          long n = Long.parseLong(m.group(1));
          total = total.plus(switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
          });
        } catch (ArithmeticException | NumberFormatException e) {
          // 99999999999999999999d: a 400 naming the field, not a 500.
          throw ApiException.badRequest(field, "\"" + text + "\" is too large a duration");
        }
        end = m.end();
      }
      if (text == null || end == 0 || end != text.trim().length()) {
        throw ApiException.badRequest(field, "\"" + text + "\" is not a duration like 15m, 1h, 90s or 1h30m");
      }
      return total;
    }
  }

}
