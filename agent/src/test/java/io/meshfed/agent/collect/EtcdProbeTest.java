package io.meshfed.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.meshfed.agent.testing.TestPki;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.LeafSpec;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.meshfed.testkit.etcd.EtcdTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The etcd probe against a real etcd (Debian etcd-server) serving mTLS with certificates from a CA minted here. */
class EtcdProbeTest {
  @TempDir static Path tmp;
  static TestPki pki;
  static CertifiedKey member;
  static Vertx vertx;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    pki = new TestPki("c1");
    List<Path> server = pki.writePem(tmp.resolve("etcd"), "server", pki.server("etcd", LeafSpec.Kind.SERVER_AND_CLIENT));
    return new EtcdTls(server.get(0), server.get(1), server.get(2));
  });

  @BeforeAll
  static void setUp() {
    member = pki.client("c1", "member-c1", LeafSpec.DEFAULT_VALIDITY);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Writes {@code cilium/.heartbeat} with etcd's KV/Put, encoded by hand like the probe's Range. */
  private static void writeHeartbeat(Instant at) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(1, CacheKeys.heartbeat().getBytes(StandardCharsets.US_ASCII));
    out.writeByteArray(2, KvstoreTimestamps.format(at).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    URI endpoint = URI.create(etcd.endpoints().get(0));
    GrpcClient grpc = GrpcClient.client(vertx, MeshTls.mutualTlsClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false), member, pki.bundle()));
    try {
      grpc.request(SocketAddress.inetSocketAddress(endpoint.getPort(), endpoint.getHost()))
          .compose(request -> request.fullMethodName("etcdserverpb.KV/Put").send(Buffer.buffer(bytes.toByteArray())))
          .compose(response -> response.last())
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } finally {
      grpc.close();
    }
  }

  @Test
  @DisplayName("handshake with the member's etcd certificate, then the heartbeat: missing, fresh, stale; age by the injected clock")
  void heartbeat() throws Exception {
    EtcdProbe probe = new EtcdProbe(vertx, Clock.systemUTC());
    List<String> endpoints = etcd.endpoints();

    EtcdStatus missing = probe.probe(endpoints, member, pki.bundle());
    assertThat(missing.getConfigured()).isTrue();
    assertThat(missing.getReachable()).isTrue();
    assertThat(missing.getHandshakeMs()).isNotNegative();
    assertThat(missing.getHeartbeatAgeSeconds()).isEqualTo(-1);
    assertThat(missing.getError()).startsWith("cilium/.heartbeat not found");

    writeHeartbeat(Instant.now().minusSeconds(30));
    EtcdStatus fresh = probe.probe(endpoints, member, pki.bundle());
    assertThat(fresh.getError()).isEmpty();
    assertThat(fresh.getHeartbeatAgeSeconds()).isBetween(29L, 100L);
    assertThat(fresh.getEndpoint()).isEqualTo(endpoints.get(0));

    writeHeartbeat(Instant.now().minusSeconds(600));
    EtcdStatus stale = probe.probe(endpoints, member, pki.bundle());
    assertThat(stale.getHeartbeatAgeSeconds()).isBetween(599L, 700L);
    assertThat(stale.getError()).startsWith("cilium/.heartbeat is ").contains("Cilium agents treat the mesh etcd as stale");

    // The age is measured against the agent's injected clock.
    Instant written = Instant.parse("2026-01-01T00:00:00Z");
    writeHeartbeat(written);
    EtcdProbe fixed = new EtcdProbe(vertx, Clock.fixed(written.plus(Duration.ofSeconds(42)), ZoneOffset.UTC));
    assertThat(fixed.probe(endpoints, member, pki.bundle()).getHeartbeatAgeSeconds()).isEqualTo(42);
  }

  @Test
  @DisplayName("a dead endpoint is skipped for a live one; a foreign CA fails the handshake: unreachable with the reason")
  void unreachable() {
    EtcdProbe probe = new EtcdProbe(vertx, Clock.systemUTC());
    EtcdStatus failover = probe.probe(List.of("https://127.0.0.1:1", etcd.endpoints().get(0)), member, pki.bundle());
    assertThat(failover.getReachable()).isTrue();
    assertThat(failover.getEndpoint()).isEqualTo(etcd.endpoints().get(0));

    EtcdStatus dead = probe.probe(List.of("https://127.0.0.1:1"), member, pki.bundle());
    assertThat(dead.getReachable()).isFalse();
    assertThat(dead.getError()).startsWith("https://127.0.0.1:1: ").containsIgnoringCase("refused");

    TestPki foreign = new TestPki("c1");
    EtcdStatus untrusted = probe.probe(etcd.endpoints(), member, foreign.bundle());
    assertThat(untrusted.getReachable()).isFalse();
    assertThat(untrusted.getError()).startsWith(etcd.endpoints().get(0) + ": ");
  }

  @Test
  @DisplayName("the hand-coded Range request and response match etcd's protobuf layout")
  void rangeCodec() throws IOException {
    byte[] request = EtcdRange.encodeRequest("k".getBytes(StandardCharsets.US_ASCII));
    assertThat(request).containsExactly(0x0a, 0x01, 'k', 0x18, 0x01);
    // RangeResponse{header{revision:5}, kvs[{key:"k", mod_revision:3, value:"v"}], count:1}
    byte[] response = {0x0a, 0x02, 0x18, 0x05, 0x12, 0x08, 0x0a, 0x01, 'k', 0x18, 0x03, 0x2a, 0x01, 'v', 0x20, 0x01};
    assertThat(EtcdRange.decodeResponse(response).value()).hasValueSatisfying(v -> assertThat(v).containsExactly('v'));
    assertThat(EtcdRange.decodeResponse(new byte[] {0x0a, 0x02, 0x18, 0x05, 0x20, 0x00}).value()).isEmpty();
  }
}
