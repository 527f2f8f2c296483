package io.meshfed.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.health.v1.Ack;
import io.meshfed.api.health.v1.ControllerMessage;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.MeshHealthGrpcClient;
import io.meshfed.api.health.v1.MeshHealthGrpcService;
import io.meshfed.api.health.v1.Settings;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.server.GrpcServer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The generated MeshHealth stubs over mTLS on BCJSSE (FIPS approved-only), wired as the controller
 * and the agent wire them: the server takes the cluster from the client certificate's CN,
 * validates, acks and sends Settings; the client streams reports on one bidi call.
 */
class MeshHealthStreamTest {
  private final Vertx vertx = Vertx.vertx();

  @BeforeAll
  static void fips() {
    Fips.installAndCheck();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("bidi stream: the server sees CN agent.c1, validates and acks each report and sends Settings; the client receives both")
  void bidiStreamOverMutualTls() throws Exception {
    CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), FipsRandom.get());
    MeshPki pki = MeshPki.create(issuer, "test", KeyType.EC_P256).withIntermediate(issuer, "c1", CertificateIssuer.INTERMEDIATE_VALIDITY)
        .withLeaf(issuer, "controller", "root", LeafSpec.server(List.of("localhost"), List.of(IpAddresses.parse("ip", "127.0.0.1"))), null)
        .withLeaf(issuer, "agent", "c1", LeafSpec.client(HealthReports.agentCommonName("c1")), null);
    List<String> seen = new CopyOnWriteArrayList<>();

    // --- controller side ---
    GrpcServer grpc = GrpcServer.server(vertx, HealthReports.serverOptions());
    grpc.callHandler(MeshHealthGrpcService.Report, call -> {
      X509Certificate peer;
      try {
        peer = (X509Certificate) call.connection().sslSession().getPeerCertificates()[0];
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        call.response().status(io.vertx.grpc.common.GrpcStatus.UNAUTHENTICATED).end();
        return;
      }
      String cluster = HealthReports.clusterOfAgent(MeshTls.commonName(peer)).orElseThrow();
      call.response().write(ControllerMessage.newBuilder().setSettings(Settings.newBuilder().setReportIntervalSeconds(5)).build());
      call.handler(report -> {
        seen.add(cluster + " #" + report.getSequence() + " findings=" + HealthReports.validate(report).size());
        call.response().write(ControllerMessage.newBuilder().setAck(Ack.newBuilder().setSequence(report.getSequence())).build());
      });
      call.endHandler(v -> call.response().end());
    });
    HttpServer server = vertx.createHttpServer(MeshTls.mutualTlsServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0),
        pki.issued().get("controller").current(), pki.bundle())).requestHandler(grpc);
    int port = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();

    // --- agent side ---
    GrpcClient client = GrpcClient.client(vertx, HealthReports.clientOptions(), MeshTls.mutualTlsClient(
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2), pki.issued().get("agent").current(), pki.bundle()));
    List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    GrpcClientRequest<HealthReport, ControllerMessage> request = client.request(SocketAddress.inetSocketAddress(port, "localhost"),
        MeshHealthGrpcClient.Report).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    request.response().onSuccess(response -> response.handler(received::add));
    for (long sequence = 1; sequence <= 2; sequence++) {
      request.write(HealthReport.newBuilder().setSequence(sequence).setSentAt(System.currentTimeMillis()).setAgentVersion("test").build());
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> received.size() >= 3);
    request.end();

    assertThat(seen).containsExactly("c1 #1 findings=0", "c1 #2 findings=0");
    assertThat(received).extracting(ControllerMessage::getMessageCase).containsExactly(ControllerMessage.MessageCase.SETTINGS,
        ControllerMessage.MessageCase.ACK, ControllerMessage.MessageCase.ACK);
    assertThat(received.get(2).getAck().getSequence()).isEqualTo(2);
  }
}
