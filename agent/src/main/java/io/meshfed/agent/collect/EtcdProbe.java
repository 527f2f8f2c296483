package io.meshfed.agent.collect;

import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.KvstoreTimestamps;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.TrustBundle;
import io.meshfed.api.health.v1.EtcdStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Probes the mesh etcd as this member's Cilium agents reach it: a TCP connect and TLS handshake
 * with the member's etcd client certificate (timed), then a read of {@code cilium/.heartbeat} over
 * gRPC. The controller rewrites the heartbeat every 30 s; Cilium agents reconnect when it is older
 * than 2 minutes (spec 1.5 item 7), so an older one is reported as an error.
 *
 * <p>Blocking: call it from the collector thread, never from an event loop.
 */
public final class EtcdProbe {
  /** Cilium's agents reconnect when the heartbeat did not change for this long. */
  public static final Duration STALE_HEARTBEAT = Duration.ofMinutes(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Clock clock;

  public EtcdProbe(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /** Tries the endpoints in order; the first that completes a handshake gives the result. */
  public EtcdStatus probe(List<String> endpoints, CertifiedKey identity, TrustBundle trust) {
    EtcdStatus status = EtcdStatus.newBuilder().setConfigured(true).setHeartbeatAgeSeconds(-1).setError("no etcd endpoint").build();
    for (String endpoint : endpoints) {
      status = probeOne(endpoint, identity, trust);
      if (status.getReachable()) {
        return status;
      }
    }
    return status;
  }

  private EtcdStatus probeOne(String endpoint, CertifiedKey identity, TrustBundle trust) {
    EtcdStatus.Builder status = EtcdStatus.newBuilder().setConfigured(true).setEndpoint(endpoint).setHeartbeatAgeSeconds(-1);
    URI uri = URI.create(endpoint);
    HttpClientAgent http = vertx.createHttpClient(MeshTls.mutualTlsClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout((int) TIMEOUT.toMillis()), identity, trust));
    try {
      long start = System.nanoTime();
      HttpClientConnection connection = await(http.connect(new HttpConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())));
      status.setReachable(true).setHandshakeMs((System.nanoTime() - start) / 1_000_000);
      GrpcClient grpc = GrpcClient.client(vertx, connection);
      EtcdRange.Result result = await(grpc.request(EtcdRange.RANGE)
          .compose(request -> request.send(CacheKeys.heartbeat().getBytes(StandardCharsets.US_ASCII)))
          .compose(response -> response.last().compose(message -> response.status() == null || response.status() == GrpcStatus.OK
              ? Future.succeededFuture(message)
              : Future.failedFuture(response.status() + ": " + response.statusMessage()))));
      heartbeat(status, result);
    } catch (ProbeException e) {
      status.setError(endpoint + ": " + e.getMessage());
    } finally {
      http.close();
    }
    return status.build();
  }

  private void heartbeat(EtcdStatus.Builder status, EtcdRange.Result result) {
    if (result.value().isEmpty()) {
      status.setError(CacheKeys.heartbeat() + " not found: the controller has not written it (or this member may not read it)");
      return;
    }
    String text = new String(result.value().get(), StandardCharsets.UTF_8);
    ReadResult<Instant> written = KvstoreTimestamps.parse(text);
    if (!written.isAccepted()) {
      status.setError(CacheKeys.heartbeat() + ": " + written.refusal().orElseThrow().message());
      return;
    }
    long age = Math.max(0, Duration.between(written.value(), clock.instant()).getSeconds());
    status.setHeartbeatAgeSeconds(age);
    if (age > STALE_HEARTBEAT.getSeconds()) {
      status.setError(CacheKeys.heartbeat() + " is " + age + " s old (more than " + STALE_HEARTBEAT.getSeconds()
          + " s): Cilium agents treat the mesh etcd as stale and reconnect");
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ProbeException(Errors.text(cause));
    } catch (TimeoutException e) {
      throw new ProbeException("no answer within " + TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeException("interrupted");
    }
  }

  private static final class ProbeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProbeException(String message) {
      super(message, null, false, false);
    }
  }
}
