package io.meshfed.agent.report;

import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.MeshHealthGrpcClient;
import io.meshfed.api.health.v1.Refusal;
import io.meshfed.api.tls.MeshTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one {@code MeshHealth/Report} stream, kept open for as long as the agent runs.
 *
 * <ul>
 *   <li>{@link #offer} puts the newest snapshot in a {@link PendingReport}; whenever the stream is
 *       open and writable, the slot is emptied onto it with the next sequence number and the send
 *       time (so a report that waited out an outage is not sent as old news, and only one ever
 *       waits).</li>
 *   <li>Acks reset the backoff; {@code Settings} go to the listener; a {@code Refusal} is logged,
 *       the stream is cancelled and the agent reconnects after its backoff (at least the
 *       refusal's {@code retry_after_seconds}).</li>
 *   <li>Any end of the stream (error, reset, the controller closing it, a write that was never
 *       acked within {@link #ackTimeout}) leads to a reconnect after a full-jitter exponential
 *       backoff; the latest snapshot is sent again on the new stream.</li>
 * </ul>
 *
 * <p>All state lives on one Vert.x context; the public methods may be called from any thread.
 */
public final class ReportStream {
  private static final Logger LOG = LoggerFactory.getLogger(ReportStream.class);
  private static final Duration MIN_ACK_TIMEOUT = Duration.ofSeconds(30);
  private static final long WATCHDOG_PERIOD_MS = 1000;

  /** What the stream hands to the agent. */
  public interface Listener {
    /** The controller asked for another report interval (already checked to be in range). */
    void onSettings(int reportIntervalSeconds);
  }

  /**
   * A snapshot of the stream's state, for tests and logs.
   *
   * @param open a stream is open now
   * @param connects stream attempts so far
   * @param reportsSent reports written
   * @param lastAckedSequence the highest sequence the controller acked
   * @param refusals refusals received
   * @param lastRefusal code and reason of the last refusal, "" when none
   * @param replacedUnsent reports replaced in the slot before they could be sent
   */
  public record Status(boolean open, long connects, long reportsSent, long lastAckedSequence, long refusals, String lastRefusal,
      long replacedUnsent) {}

  private final Vertx vertx;
  private final Context context;
  private final SocketAddress controller;
  private final String cluster;
  private final Clock clock;
  private final Backoff backoff;
  private final Listener listener;
  private final Instant startedAt;
  private final PendingReport pending = new PendingReport();

  // Confined to the context.
  private AgentCredentials credentials;
  private GrpcClient client;
  private GrpcClientRequest<HealthReport, ControllerMessage> request;
  private int generation;
  private boolean stopped;
  private boolean accepted;
  private long reconnectTimer = -1;
  private long watchdogTimer = -1;
  private HealthReport latest;
  private long sequence;
  private Instant unackedSince;
  private Duration ackTimeout = MIN_ACK_TIMEOUT;

  // Written on the context, read anywhere.
  private volatile boolean open;
  private volatile long connects;
  private volatile long reportsSent;
  private volatile long lastAckedSequence;
  private volatile long refusals;
  private volatile String lastRefusal = "";

  public ReportStream(Vertx vertx, SocketAddress controller, AgentCredentials credentials, Clock clock, Backoff backoff,
      Listener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.controller = controller;
    this.credentials = credentials;
    this.cluster = credentials.cluster();
    this.clock = clock;
    this.backoff = backoff;
    this.listener = listener;
    this.startedAt = clock.instant();
  }

  /** Opens the stream (and keeps reopening it until {@link #stop}). */
  public void start() {
    context.runOnContext(v -> {
      client = newClient(credentials);
      watchdogTimer = vertx.setPeriodic(WATCHDOG_PERIOD_MS, id -> watchdog());
      connect();
    });
  }

  /** Queues {@code snapshot} as the next report, replacing one not sent yet. */
  public void offer(HealthReport snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    pending.offer(snapshot);
    context.runOnContext(v -> {
      latest = snapshot;
      drain();
    });
  }

  /** The report interval in force: a write unacked for 3 intervals (at least 30 s) ends the stream. */
  public void interval(Duration interval) {
    context.runOnContext(v -> {
      Duration threefold = interval.multipliedBy(3);
      ackTimeout = threefold.compareTo(MIN_ACK_TIMEOUT) > 0 ? threefold : MIN_ACK_TIMEOUT;
    });
  }

  /** Reconnects at once with renewed credentials (the old connection is closed). */
  public void updateCredentials(AgentCredentials renewed) {
    context.runOnContext(v -> {
      if (stopped) {
        return;
      }
      LOG.info("cluster={} op=credentials.reload subject=\"{}\" notAfter={}", cluster, renewed.identity().subject(),
          renewed.identity().certificate().getNotAfter().toInstant());
      credentials = renewed;
      GrpcClient old = client;
      client = newClient(renewed);
      closeCurrent();
      old.close();
      cancelReconnect();
      backoff.reset();
      connect();
    });
  }

  /** Ends the stream (half-close, so the controller sees a clean end) and closes the client. */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      cancelReconnect();
      if (watchdogTimer >= 0) {
        vertx.cancelTimer(watchdogTimer);
      }
      GrpcClientRequest<HealthReport, ControllerMessage> current = request;
      generation++;
      request = null;
      open = false;
      Future<Void> ended = current == null ? Future.succeededFuture() : current.end().recover(t -> Future.succeededFuture());
      ended.eventually(() -> client == null ? Future.succeededFuture() : client.close()).onComplete(ar -> done.complete());
    });
    return done.future();
  }

  public Status status() {
    return new Status(open, connects, reportsSent, lastAckedSequence, refusals, lastRefusal, pending.replaced());
  }

  private GrpcClient newClient(AgentCredentials creds) {
    HttpClientOptions http = MeshTls.mutualTlsClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(10_000), creds.identity(), creds.trust());
    return GrpcClient.client(vertx, HealthReports.clientOptions(), http);
  }

  private void connect() {
    reconnectTimer = -1;
    if (stopped) {
      return;
    }
    int gen = ++generation;
    connects++;
    LOG.info("cluster={} op=report.connect controller={} attempt={}", cluster, controller, connects);
    client.request(controller, MeshHealthGrpcClient.Report).onComplete(ar -> {
      if (gen != generation || stopped) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed()) {
        streamFailed(gen, "connect", ar.cause());
        return;
      }
      GrpcClientRequest<HealthReport, ControllerMessage> req = ar.result();
      request = req;
      open = true;
      accepted = false;
      req.exceptionHandler(t -> streamFailed(gen, "stream", t));
      req.response().onComplete(rar -> {
        if (gen != generation) {
          return;
        }
        if (rar.failed()) {
          streamFailed(gen, "response", rar.cause());
          return;
        }
        GrpcClientResponse<HealthReport, ControllerMessage> response = rar.result();
        response.handler(message -> onMessage(gen, message));
        response.exceptionHandler(t -> streamFailed(gen, "stream", t));
        response.endHandler(end -> streamEnded(gen, response.status(), response.statusMessage()));
      });
      LOG.info("cluster={} op=report.open controller={} protocol={}", cluster, controller,
          req.connection().sslSession() == null ? "h2c" : req.connection().sslSession().getProtocol());
      if (latest != null) {
        pending.offerIfEmpty(latest);
      }
      drain();
    });
  }

  private void drain() {
    GrpcClientRequest<HealthReport, ControllerMessage> req = request;
    if (!open || req == null) {
      return;
    }
    if (req.writeQueueFull()) {
      req.drainHandler(v -> drain());
      return;
    }
    HealthReport snapshot = pending.take();
    if (snapshot == null) {
      return;
    }
    HealthReport report = HealthReports.trimToFit(snapshot.toBuilder().setSequence(++sequence).setSentAt(clock.millis()).build());
    int gen = generation;
    req.write(report).onFailure(t -> streamFailed(gen, "write", t));
    reportsSent++;
    if (unackedSince == null) {
      unackedSince = clock.instant();
    }
    if (reportsSent == 1) {
      LOG.info("cluster={} op=report.first sequence={} msSinceStart={} jvmUptimeMs={}", cluster, report.getSequence(),
          Duration.between(startedAt, clock.instant()).toMillis(), ManagementFactory.getRuntimeMXBean().getUptime());
    } else {
      LOG.debug("cluster={} op=report.send sequence={} bytes={}", cluster, report.getSequence(), report.getSerializedSize());
    }
  }

  private void onMessage(int gen, ControllerMessage message) {
    if (gen != generation) {
      return;
    }
    switch (message.getMessageCase()) {
      case ACK -> {
        long acked = message.getAck().getSequence();
        lastAckedSequence = Math.max(lastAckedSequence, acked);
        if (acked >= sequence) {
          unackedSince = null;
        }
        backoff.reset();
        if (!accepted) {
          accepted = true;
          LOG.info("cluster={} op=report.accepted controller={} ackedSequence={}", cluster, controller, acked);
        }
      }
      case SETTINGS -> {
        int seconds = message.getSettings().getReportIntervalSeconds();
        if (seconds == 0) {
          return;
        }
        if (seconds < HealthReports.MIN_INTERVAL_SECONDS || seconds > HealthReports.MAX_INTERVAL_SECONDS) {
          LOG.warn("cluster={} op=report.settings result=ignored reportIntervalSeconds={} allowed={}..{}", cluster, seconds,
              HealthReports.MIN_INTERVAL_SECONDS, HealthReports.MAX_INTERVAL_SECONDS);
          return;
        }
        LOG.info("cluster={} op=report.settings reportIntervalSeconds={}", cluster, seconds);
        listener.onSettings(seconds);
      }
      case REFUSAL -> refused(message.getRefusal());
      default -> LOG.debug("cluster={} op=report.message result=ignored case={}", cluster, message.getMessageCase());
    }
  }

  private void refused(Refusal refusal) {
    // The reason before the count: a reader that sees the count (volatile) then sees the reason.
    lastRefusal = refusal.getCode() + ": " + refusal.getReason();
    refusals++;
    Duration delay = backoff.next();
    Duration retryAfter = Duration.ofSeconds(refusal.getRetryAfterSeconds());
    if (retryAfter.compareTo(delay) > 0) {
      delay = retryAfter;
    }
    LOG.warn("cluster={} op=report.refused controller={} code={} reason=\"{}\" retryAfterSeconds={} reconnectInMs={}", cluster,
        controller, refusal.getCode(), refusal.getReason(), refusal.getRetryAfterSeconds(), delay.toMillis());
    closeCurrent();
    scheduleReconnect(delay);
  }

  private void streamFailed(int gen, String phase, Throwable cause) {
    restart(gen, "op=report." + phase + " result=error error=\"" + describe(cause) + "\"");
  }

  private void streamEnded(int gen, GrpcStatus status, String message) {
    restart(gen, "op=report.ended status=" + status + " message=\"" + (message == null ? "" : message) + "\"");
  }

  /** Drops stream {@code gen} (unless already replaced) and reconnects after the backoff. */
  private void restart(int gen, String what) {
    if (gen != generation || stopped) {
      return;
    }
    closeCurrent();
    Duration delay = backoff.next();
    LOG.warn("cluster={} {} controller={} reconnectInMs={}", cluster, what, controller, delay.toMillis());
    scheduleReconnect(delay);
  }

  private void watchdog() {
    if (open && unackedSince != null && clock.instant().isAfter(unackedSince.plus(ackTimeout))) {
      int gen = generation;
      streamFailed(gen, "ack-timeout", new IllegalStateException("no Ack for " + ackTimeout.toSeconds() + " s"));
    }
  }

  /** Forgets the current stream (its handlers go quiet) and cancels it. */
  private void closeCurrent() {
    generation++;
    GrpcClientRequest<HealthReport, ControllerMessage> current = request;
    request = null;
    open = false;
    unackedSince = null;
    if (current != null) {
      try {
        current.cancel();
      } catch (RuntimeException alreadyGone) {
        LOG.debug("cluster={} op=report.cancel result=ignored error=\"{}\"", cluster, alreadyGone.toString());
      }
    }
  }

  private void scheduleReconnect(Duration delay) {
    if (stopped) {
      return;
    }
    cancelReconnect();
    reconnectTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> connect());
  }

  private void cancelReconnect() {
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
  }

  private static String describe(Throwable t) {
    String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    return HealthReports.errorText(text).replace('"', '\'');
  }
}
