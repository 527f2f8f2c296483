package io.meshfed.controller.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.MeshHealthGrpcClient;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.controller.testing.RawApi;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile bytes on the agents' gRPC stream, sent with a raw HTTP/2 client and a real agent
 * certificate (c2's): garbage, lying length prefixes, a compressed flag with no encoding, a huge
 * announced length, a valid report followed by garbage, a client that stops mid-frame. Each ends
 * (or, for the stalled one, only holds) its own stream: c1's honest stream keeps getting acks and
 * the controller keeps serving.
 */
@DisplayName("Hostile gRPC input: garbage frames, huge lengths and stalled clients end their own stream only")
class HostileGrpcInputTest {
  static final String PATH = "/meshfed.health.v1.MeshHealth/Report";

  @TempDir static Path tmp;
  static MeshHarness mesh;
  static SimulatedClusters sims;
  static Vertx vertx;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    sims = mesh.startWithMembers(etcd.endpoints(), Map.of("MESHFED_REPORT_INTERVAL_SECONDS", "1"), "c1", "c2");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      // Vert.x 5 closes HTTP/2 clients gracefully: it waits (up to 30 s) for open streams, and the
      // honest agents' report streams stay open until the controller's idle limit ends them.
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (sims != null) {
      sims.close();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  static HttpClientOptions http2(CertifiedKey identity) {
    return MeshTls.mutualTlsClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true), identity, mesh.mesh.bundle());
  }

  /** A raw HTTP/2 stream to the Report method: bytes out, and whether the controller ended or reset it. */
  static final class RawStream {
    final HttpClientRequest request;
    volatile boolean ended;
    volatile String grpcStatus;

    RawStream(HttpClient client) throws Exception {
      RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(mesh.controller().grpcPort()).setURI(PATH)
          .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
      request = client.request(ro).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      request.setChunked(true);
      request.exceptionHandler(e -> ended = true);
      request.response().onSuccess(resp -> {
        grpcStatus = resp.getHeader("grpc-status");
        resp.handler(b -> { });
        resp.endHandler(v -> {
          if (resp.getTrailer("grpc-status") != null) {
            grpcStatus = resp.getTrailer("grpc-status");
          }
          ended = true;
        });
        resp.exceptionHandler(e -> ended = true);
      }).onFailure(e -> ended = true);
    }

    void write(Buffer b) throws Exception {
      request.write(b).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    void end(Buffer b) {
      request.end(b);
    }
  }

  static Buffer frame(int compressed, long announcedLength, byte[] payload) {
    return Buffer.buffer().appendByte((byte) compressed).appendInt((int) announcedLength).appendBytes(payload);
  }

  /** c1's honest agent: a typed gRPC stream that reports every half second, as a real agent keeps reporting. */
  static final class Honest {
    final List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    GrpcClientRequest<HealthReport, ControllerMessage> request;

    Honest() throws Exception {
      GrpcClient client = GrpcClient.client(vertx, HealthReports.clientOptions(), http2(AgentStreamTest.agentIdentity(sims, "c1")));
      request = client.request(SocketAddress.inetSocketAddress(mesh.controller().grpcPort(), "localhost"), MeshHealthGrpcClient.Report)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      request.response().onSuccess(resp -> resp.handler(received::add));
      vertx.setPeriodic(500, id -> request.write(AgentStreamTest.report(sequence.incrementAndGet(), "c1", 3, 3, Instant.now().plus(Duration.ofDays(300)))));
    }

    /** Waits for the ack of a report sent after this call. */
    void reportAndAwaitAck() {
      long after = sequence.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(m -> m.hasAck() && m.getAck().getSequence() > after));
    }
  }

  @Test
  @DisplayName("garbage, lying lengths, compressed without encoding, a huge length, valid-then-garbage: each stream ends; c1 keeps getting acks; /livez answers")
  void garbageEndsOnlyItsStream() throws Exception {
    Honest c1 = new Honest();
    c1.reportAndAwaitAck();
    HttpClient hostile = vertx.createHttpClient(http2(AgentStreamTest.agentIdentity(sims, "c2")));
    Random rnd = new Random(0x6A7BA6EL);
    byte[] valid = AgentStreamTest.report(1, "c2", 3, 3, Instant.now().plus(Duration.ofDays(300))).toByteArray();
    Map<String, Buffer> cases = new java.util.LinkedHashMap<>();
    byte[] noise = new byte[2048];
    rnd.nextBytes(noise);
    cases.put("random bytes", Buffer.buffer(noise));
    cases.put("three bytes, not even a frame header", Buffer.buffer(new byte[] {1, 2, 3}));
    cases.put("length prefix longer than the data", frame(0, 1000, new byte[] {8, 1}));
    cases.put("length prefix shorter than the data", frame(0, 2, valid));
    cases.put("compressed flag without grpc-encoding", frame(1, valid.length, valid));
    cases.put("flag byte neither 0 nor 1", frame(7, valid.length, valid));
    cases.put("a huge announced length", frame(0, 0x7FFF_FFFFL, new byte[64]));
    cases.put("over the max message size", frame(0, HealthReports.MAX_MESSAGE_BYTES + 1, new byte[HealthReports.MAX_MESSAGE_BYTES + 1]));
    cases.put("a valid report then garbage", frame(0, valid.length, valid).appendBuffer(Buffer.buffer(noise)));
    cases.put("a message that is not a HealthReport", frame(0, 64, java.util.Arrays.copyOf(noise, 64)));
    for (Map.Entry<String, Buffer> c : cases.entrySet()) {
      RawStream s = new RawStream(hostile);
      s.end(c.getValue());
      await(c.getKey()).atMost(Duration.ofSeconds(30)).until(() -> s.ended);
      c1.reportAndAwaitAck();
    }
    try (var api = new ApiProbe()) {
      assertThat(api.raw.get("/livez").status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a client that stops mid-frame or sends nothing holds only its own stream until the idle limit refuses it; the honest agent is served throughout")
  void stalledClientsHoldOnlyTheirStream() throws Exception {
    Honest c1 = new Honest();
    c1.reportAndAwaitAck();
    HttpClient hostile = vertx.createHttpClient(http2(AgentStreamTest.agentIdentity(sims, "c2")));
    RawStream midFrame = new RawStream(hostile);
    midFrame.write(frame(0, 500, new byte[] {8}));
    // One more byte of the frame between honest reports: the stalled stream never completes a message.
    midFrame.write(Buffer.buffer(new byte[] {1}));
    c1.reportAndAwaitAck();
    midFrame.write(Buffer.buffer(new byte[] {1}));
    c1.reportAndAwaitAck();
    // No whole report for MISSED_REPORTS + 1 intervals (4 s here): refused. The honest agent reports throughout.
    await("stalled stream refused").atMost(Duration.ofSeconds(60)).until(() -> {
      c1.reportAndAwaitAck();
      return midFrame.ended;
    });
    RawStream silent = new RawStream(hostile);
    silent.write(Buffer.buffer());
    await("silent stream refused").atMost(Duration.ofSeconds(60)).until(() -> {
      c1.reportAndAwaitAck();
      return silent.ended;
    });
    try (var api = new ApiProbe()) {
      assertThat(api.raw.get("/livez").status()).isEqualTo(200);
    }
  }

  /** The HTTPS API, to check the controller still answers. */
  static final class ApiProbe implements AutoCloseable {
    final Vertx own = Vertx.vertx();
    final RawApi raw = new RawApi(own, mesh);

    @Override
    public void close() throws Exception {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
