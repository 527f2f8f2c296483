package io.meshfed.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.certs.CaRotation;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.IssuedCertificate;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.RenewalPolicy;
import io.meshfed.certs.TrustBundle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Real TLS in FIPS approved-only mode: a Vert.x HTTPS server with a leaf from a cluster
 * intermediate, clients with client leaves, mTLS, everybody trusting only the root bundle. The
 * server answers with the CN it saw, so the test proves who the server believes it talks to.
 */
class MutualTlsFipsTest {
  private Vertx vertx;
  private HttpServer server;

  @BeforeAll
  static void fips() {
    Fips.installAndCheck();
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static CertificateIssuer issuer() {
    return new CertificateIssuer(Clock.systemUTC(), FipsRandom.get());
  }

  private static MeshPki mesh(CertificateIssuer issuer, String name) {
    MeshPki pki = MeshPki.create(issuer, name, KeyType.EC_P256).withIntermediate(issuer, "c1", CertificateIssuer.INTERMEDIATE_VALIDITY);
    pki = pki.withLeaf(issuer, "controller", "c1", LeafSpec.server(List.of("localhost"), List.of(IpAddresses.parse("ip", "127.0.0.1"))), null);
    return pki.withLeaf(issuer, "agent", "c1", LeafSpec.client("agent.c1"), null);
  }

  private int startServer(CertifiedKey identity, TrustBundle trust) throws Exception {
    server = vertx.createHttpServer(MeshTls.mutualTlsServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0), identity, trust))
        .requestHandler(req -> {
          try {
            X509Certificate peer = (X509Certificate) req.connection().sslSession().getPeerCertificates()[0];
            req.response().end("hello " + MeshTls.commonName(peer) + " over " + req.connection().sslSession().getProtocol()
                + " approvedOnly=" + CryptoServicesRegistrar.isInApprovedOnlyMode());
          } catch (Exception e) {
            req.response().setStatusCode(500).end(e.toString());
          }
        });
    return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  /** Returns the body, or the failure's message. */
  private String call(int port, CertifiedKey identity, TrustBundle trust) {
    HttpClientAgent client = vertx.createHttpClient(MeshTls.mutualTlsClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2), identity, trust));
    try {
      return client.request(HttpMethod.GET, port, "localhost", "/")
          .compose(req -> req.send().compose(resp -> resp.body()))
          .map(Object::toString)
          .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable t = e.getCause() != null ? e.getCause() : e;
      return "FAILED: " + t;
    } finally {
      client.close();
    }
  }

  @Test
  @DisplayName("mTLS with a server leaf from an intermediate and a client leaf, both sides trusting only the root bundle, in approved-only mode")
  void mutualTlsWorks() throws Exception {
    CertificateIssuer issuer = issuer();
    MeshPki pki = mesh(issuer, "prod");
    int port = startServer(pki.issued().get("controller").current(), pki.bundle());
    String body = call(port, pki.issued().get("agent").current(), pki.bundle());
    assertThat(body).startsWith("hello agent.c1 over TLSv1.").endsWith("approvedOnly=true");
    assertThat(javax.net.ssl.SSLContext.getDefault().getProvider().getName()).isEqualTo(Fips.JSSE_PROVIDER);
  }

  @Test
  @DisplayName("a client whose leaf comes from a foreign root is refused")
  void foreignRootRefused() throws Exception {
    CertificateIssuer issuer = issuer();
    MeshPki pki = mesh(issuer, "prod");
    MeshPki other = mesh(issuer, "other");
    int port = startServer(pki.issued().get("controller").current(), pki.bundle());
    assertThat(call(port, other.issued().get("agent").current(), pki.bundle())).startsWith("FAILED");
    // and a client that trusts only the foreign root refuses our server
    assertThat(call(port, pki.issued().get("agent").current(), other.bundle())).startsWith("FAILED");
  }

  @Test
  @DisplayName("a client whose leaf expired (issued through an earlier clock) is refused")
  void expiredLeafRefused() throws Exception {
    CertificateIssuer issuer = issuer();
    MeshPki pki = mesh(issuer, "prod");
    CertificateIssuer past = new CertificateIssuer(Clock.fixed(Instant.now().minus(Duration.ofDays(3)), ZoneOffset.UTC), FipsRandom.get());
    CertifiedKey expired = past.issueLeaf(pki.signer("c1"), LeafSpec.client("agent.c1").withValidity(Duration.ofDays(1)), KeyType.EC_P256);
    int port = startServer(pki.issued().get("controller").current(), pki.bundle());
    assertThat(call(port, expired, pki.bundle())).startsWith("FAILED");
    assertThat(call(port, pki.issued().get("agent").current(), pki.bundle())).startsWith("hello agent.c1");
  }

  @Test
  @DisplayName("across a root key replacement: during the overlap old and new leaves both connect; after pruning, old leaves are refused")
  void rotationOverlapThenPrune() throws Exception {
    CertificateIssuer issuer = issuer();
    MeshPki v1 = mesh(issuer, "prod");
    CertifiedKey oldAgent = v1.issued().get("agent").current();
    CaRotation rotation = new CaRotation(issuer, RenewalPolicy.defaults());
    MeshPki v2 = rotation.apply(v1, rotation.plan(v1, new CaRotation.Options(new RenewalPolicy.Force(false, true), KeyType.EC_P256, false)));
    CertifiedKey newAgent = v2.issued().get("agent").current();

    int port = startServer(v2.issued().get("controller").current(), v2.bundle());
    assertThat(call(port, oldAgent, v2.bundle())).startsWith("hello agent.c1");
    assertThat(call(port, newAgent, v2.bundle())).startsWith("hello agent.c1");
    // An old peer that still trusts only v1 but got the new bundle pushed connects to the new server too.
    assertThat(call(port, oldAgent, TrustBundle.of(v2.bundle().roots()))).startsWith("hello");
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    MeshPki pruned = rotation.apply(v2, rotation.plan(v2, new CaRotation.Options(RenewalPolicy.Force.NONE, KeyType.EC_P256, true)));
    assertThat(pruned.bundle().roots()).hasSize(1);
    int port2 = startServer(pruned.issued().get("controller").current(), pruned.bundle());
    assertThat(call(port2, oldAgent, pruned.bundle())).startsWith("FAILED");
    assertThat(call(port2, newAgent, pruned.bundle())).startsWith("hello agent.c1");
    assertThat(IssuedCertificate.ROOT_ISSUER).isEqualTo("root");
  }
}
