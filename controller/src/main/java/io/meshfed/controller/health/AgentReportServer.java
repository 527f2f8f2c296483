package io.meshfed.controller.health;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.Ack;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.MeshHealthGrpcService;
import io.meshfed.api.health.v1.Refusal;
import io.meshfed.api.health.v1.RefusalCode;
import io.meshfed.api.health.v1.Settings;
import io.meshfed.api.tls.MeshTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's end of the agents' health streams (gRPC over mTLS). The reporting cluster is
 * the one in the client certificate's CN ({@code agent.<cluster>}), never a field of a message; a
 * revoked certificate, a cluster that is not a member, a report for another cluster, a malformed
 * or oversized message is refused on that stream alone and logged. Each stored report is acked.
 */
public final class AgentReportServer {
  private static final Logger LOG = LoggerFactory.getLogger(AgentReportServer.class);

  private final Vertx vertx;
  private final AgentReportStore store;
  private final Predicate<String> revoked;
  private final Function<String, Boolean> isMember;
  private final Clock clock;
  private final int intervalSeconds;
  private final int idleIntervals;
  /** The open stream of each cluster: a new one (agent restart, reconnect) replaces the old. */
  private final Map<String, GrpcServerRequest<HealthReport, ControllerMessage>> streams = new ConcurrentHashMap<>();

  /**
   * @param revoked true for a revoked certificate serial (lower-case hex)
   * @param isMember true when the cluster is a member; blocking (it may read etcd), run on a worker
   * @param idleIntervals report intervals without a whole report after which a stream is refused; 0 = never
   */
  public AgentReportServer(Vertx vertx, AgentReportStore store, Predicate<String> revoked, Function<String, Boolean> isMember, Clock clock,
      int intervalSeconds, int idleIntervals) {
    this.idleIntervals = idleIntervals;
    this.vertx = vertx;
    this.store = store;
    this.revoked = revoked;
    this.isMember = isMember;
    this.clock = clock;
    this.intervalSeconds = intervalSeconds;
  }

  /** Listens with mTLS (HTTP/2 over ALPN, client certificate required) on {@code options}' host and port. */
  public Future<HttpServer> listen(HttpServerOptions options) {
    GrpcServer grpc = GrpcServer.server(vertx, HealthReports.serverOptions());
    grpc.callHandler(MeshHealthGrpcService.Report, this::stream);
    return vertx.createHttpServer(options.setUseAlpn(true)).requestHandler(grpc).listen();
  }

  /** Streams open now, per cluster (for metrics and tests). */
  public int openStreams() {
    return streams.size();
  }

  private void stream(GrpcServerRequest<HealthReport, ControllerMessage> call) {
    Optional<X509Certificate> peer = peer(call);
    if (peer.isEmpty()) {
      refuse(call, "-", RefusalCode.REFUSAL_CODE_NOT_AUTHORIZED, "no verified client certificate");
      return;
    }
    String cn = MeshTls.commonName(peer.get());
    String serial = peer.get().getSerialNumber().toString(16);
    Optional<String> cluster = HealthReports.clusterOfAgent(cn);
    if (cluster.isEmpty()) {
      refuse(call, "-", RefusalCode.REFUSAL_CODE_NOT_AUTHORIZED, "certificate \"" + cn + "\" is not an agent certificate (CN agent.<cluster>)");
      return;
    }
    String name = cluster.get();
    if (revoked.test(serial)) {
      refuse(call, name, RefusalCode.REFUSAL_CODE_NOT_AUTHORIZED, "certificate serial " + serial + " is revoked");
      return;
    }
    call.pause();
    vertx.executeBlocking(() -> isMember.apply(name), false).onComplete(ar -> {
      if (ar.failed()) {
        refuse(call, name, RefusalCode.REFUSAL_CODE_UNAVAILABLE, "cannot check membership: " + ar.cause().getMessage());
      } else if (!ar.result()) {
        refuse(call, name, RefusalCode.REFUSAL_CODE_UNKNOWN_CLUSTER, "\"" + name + "\" is not a member of the mesh");
      } else {
        accept(call, name);
      }
    });
  }

  private void accept(GrpcServerRequest<HealthReport, ControllerMessage> call, String cluster) {
    GrpcServerRequest<HealthReport, ControllerMessage> previous = streams.put(cluster, call);
    if (previous != null && previous != call) {
      LOG.info("cluster={} op=health.stream replaced=true (reconnect or agent restart)", cluster);
      refuse(previous, cluster, RefusalCode.REFUSAL_CODE_DUPLICATE_STREAM, "a newer stream of this cluster replaced this one");
    }
    LOG.info("cluster={} op=health.stream open=true interval={}s", cluster, intervalSeconds);
    call.response().write(ControllerMessage.newBuilder()
        .setSettings(Settings.newBuilder().setReportIntervalSeconds(intervalSeconds)).build());
    // A stream that delivers no whole report for this long (stalled mid-frame, silent, or stuck on a
    // frame the gRPC layer neither decodes nor fails) is refused: it holds a stream, not the cluster.
    long idleMillis = (long) intervalSeconds * idleIntervals * 1000L;
    java.util.concurrent.atomic.AtomicLong lastReport = new java.util.concurrent.atomic.AtomicLong(clock.millis());
    long idleTimer = vertx.setPeriodic(intervalSeconds * 1000L, id -> {
      if (streams.get(cluster) != call || idleIntervals == 0) {
        vertx.cancelTimer(id);
      } else if (clock.millis() - lastReport.get() > idleMillis) {
        vertx.cancelTimer(id);
        refuse(call, cluster, RefusalCode.REFUSAL_CODE_INVALID_REPORT,
            "no whole report for " + idleMillis / 1000 + " s (" + idleIntervals + " report intervals); reconnect");
      }
    });
    call.handler(report -> {
      lastReport.set(clock.millis());
      onReport(call, cluster, report);
    });
    call.exceptionHandler(err -> {
      if (err instanceof io.vertx.core.http.StreamResetException || err instanceof io.vertx.core.http.HttpClosedException) {
        // The agent went away (killed, restarted): nothing to answer.
        LOG.debug("cluster={} op=health.stream error=\"{}\"", cluster, err.getMessage());
        streams.remove(cluster, call);
        endQuietly(call);
      } else {
        // An unreadable frame (compressed without an encoding, a bad length, garbage): this stream ends here.
        refuse(call, cluster, RefusalCode.REFUSAL_CODE_INVALID_REPORT, "unreadable message: " + err.getMessage());
      }
    });
    call.endHandler(v -> {
      vertx.cancelTimer(idleTimer);
      streams.remove(cluster, call);
      LOG.info("cluster={} op=health.stream open=false", cluster);
      endQuietly(call);
    });
    call.resume();
  }

  private void onReport(GrpcServerRequest<HealthReport, ControllerMessage> call, String cluster, HealthReport report) {
    if (!report.getClusterName().isEmpty() && !report.getClusterName().equals(cluster)) {
      refuse(call, cluster, RefusalCode.REFUSAL_CODE_CLUSTER_MISMATCH,
          "report names cluster \"" + report.getClusterName() + "\" but the certificate is for \"" + cluster + "\"");
      return;
    }
    List<Finding> findings = HealthReports.validate(report);
    if (!findings.isEmpty()) {
      refuse(call, cluster, RefusalCode.REFUSAL_CODE_INVALID_REPORT, HealthReports.describe(findings));
      return;
    }
    // One report in flight per stream: the next waits in the HTTP/2 flow-control window, so a
    // slow etcd slows the agent down instead of queueing reports here.
    call.pause();
    AgentSnapshot snapshot = ReportMapper.toSnapshot(cluster, report, clock.instant(), intervalSeconds);
    Future.fromCompletionStage(store.put(snapshot), vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.succeeded()) {
        call.response().write(ControllerMessage.newBuilder().setAck(Ack.newBuilder().setSequence(report.getSequence())).build());
        LOG.debug("cluster={} op=health.report sequence={} stored=true", cluster, report.getSequence());
      } else {
        LOG.warn("cluster={} op=health.report sequence={} stored=false error=\"{}\"", cluster, report.getSequence(), ar.cause().getMessage());
      }
      call.resume();
    });
  }

  private void refuse(GrpcServerRequest<HealthReport, ControllerMessage> call, String cluster, RefusalCode code, String reason) {
    LOG.warn("cluster={} op=health.refuse code={} reason=\"{}\"", cluster, code, reason);
    try {
      call.response().end(ControllerMessage.newBuilder()
          .setRefusal(Refusal.newBuilder().setCode(code).setReason(reason).setRetryAfterSeconds(30)).build());
    } catch (RuntimeException e) {
      // The stream is already gone; nothing to tell.
    }
    streams.remove(cluster, call);
  }

  /** Ends our half of the stream; a client that reset it (agent killed) leaves nothing to end. */
  private static void endQuietly(GrpcServerRequest<HealthReport, ControllerMessage> call) {
    try {
      call.response().end();
    } catch (RuntimeException e) {
      LOG.debug("op=health.stream end=skipped reason=\"{}\"", String.valueOf(e));
    }
  }

  private static Optional<X509Certificate> peer(GrpcServerRequest<?, ?> call) {
    SSLSession session = call.connection().sslSession();
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
