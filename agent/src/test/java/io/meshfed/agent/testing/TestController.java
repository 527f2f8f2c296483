package io.meshfed.agent.testing;

import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.Ack;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.MeshHealthGrpcService;
import io.meshfed.api.health.v1.Refusal;
import io.meshfed.api.health.v1.Settings;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.TrustBundle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerResponse;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A stand-in for the controller's MeshHealth endpoint: Vert.x gRPC over mTLS (MeshTls, FIPS) that
 * records every report with the CN of the client certificate it came over, acks it, and can send
 * Settings, refuse streams, or go away and come back on the same port.
 */
public final class TestController implements AutoCloseable {

  /** A report as received: who sent it (certificate CN), on which stream (1, 2, ...), and when. */
  public record Received(String peer, int stream, HealthReport report, Instant at) {}

  /** A stream as opened: its number, the peer CN, when. */
  public record Opened(int stream, String peer, Instant at) {}

  private final Vertx vertx = Vertx.vertx();
  private final CertifiedKey identity;
  private final TrustBundle trust;
  private final List<Received> reports = new CopyOnWriteArrayList<>();
  private final List<Opened> streams = new CopyOnWriteArrayList<>();
  private final Set<GrpcServerResponse<HealthReport, ControllerMessage>> open = ConcurrentHashMap.newKeySet();
  private volatile Refusal refuseWith;
  private volatile int settingsOnOpen;
  private HttpServer server;
  private int port;

  public TestController(CertifiedKey identity, TrustBundle trust) {
    this.identity = identity;
    this.trust = trust;
    start();
  }

  /** Listens (again) on the same port; the first start picks a free one. */
  public synchronized TestController start() {
    GrpcServer grpc = GrpcServer.server(vertx, HealthReports.serverOptions());
    grpc.callHandler(MeshHealthGrpcService.Report, call -> {
      int stream = streams.size() + 1;
      String peer;
      try {
        peer = MeshTls.commonName((X509Certificate) call.connection().sslSession().getPeerCertificates()[0]);
      } catch (Exception e) {
        peer = "?";
      }
      streams.add(new Opened(stream, peer, Instant.now()));
      Refusal refusal = refuseWith;
      if (refusal != null) {
        call.response().end(ControllerMessage.newBuilder().setRefusal(refusal).build());
        return;
      }
      GrpcServerResponse<HealthReport, ControllerMessage> response = call.response();
      open.add(response);
      if (settingsOnOpen > 0) {
        response.write(settings(settingsOnOpen));
      }
      String from = peer;
      call.handler(report -> {
        reports.add(new Received(from, stream, report, Instant.now()));
        response.write(ControllerMessage.newBuilder().setAck(Ack.newBuilder().setSequence(report.getSequence())).build());
      });
      call.endHandler(v -> {
        open.remove(response);
        response.end();
      });
      call.exceptionHandler(t -> open.remove(response));
    });
    server = vertx.createHttpServer(MeshTls.mutualTlsServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port), identity, trust))
        .requestHandler(grpc);
    port = await(server.listen()).actualPort();
    return this;
  }

  /**
   * One TLS handshake from this JVM, so that a measurement of an agent's start does not include
   * the test server's own cold start (a real controller is warm).
   */
  public void warmUp(CertifiedKey client) {
    io.vertx.core.http.HttpClientAgent http = vertx.createHttpClient(MeshTls.mutualTlsClient(
        new io.vertx.core.http.HttpClientOptions().setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2), client, trust));
    try {
      await(http.request(io.vertx.core.http.HttpMethod.GET, port, "localhost", "/").compose(r -> r.send()).map(r -> r.statusCode()));
    } finally {
      http.close();
    }
  }

  /** Closes the listener and every connection: agents see the controller go away. */
  public synchronized void stop() {
    open.clear();
    await(server.close());
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  /** Refuse every new stream with this (null: accept again). */
  public void refuseWith(Refusal refusal) {
    this.refuseWith = refusal;
  }

  /** Send Settings with this interval on every new stream (0: none). */
  public void settingsOnOpen(int seconds) {
    this.settingsOnOpen = seconds;
  }

  /** Sends Settings on every open stream now. */
  public void sendSettings(int seconds) {
    open.forEach(r -> r.write(settings(seconds)));
  }

  /** Forgets what was received so far (between tests). */
  public void clear() {
    reports.clear();
    streams.clear();
    refuseWith = null;
    settingsOnOpen = 0;
  }

  public List<Received> reports() {
    return List.copyOf(reports);
  }

  public List<Received> reportsFrom(String peer) {
    return reports.stream().filter(r -> r.peer().equals(peer)).collect(Collectors.toList());
  }

  public List<Opened> streams() {
    return List.copyOf(streams);
  }

  /** The newest report from {@code peer}, or null. */
  public HealthReport latest(String peer) {
    List<Received> from = reportsFrom(peer);
    return from.isEmpty() ? null : from.get(from.size() - 1).report();
  }

  private static ControllerMessage settings(int seconds) {
    return ControllerMessage.newBuilder().setSettings(Settings.newBuilder().setReportIntervalSeconds(seconds)).build();
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
