package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyMatch;
import io.meshfed.certs.Passphrase;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.config.CliConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI's blocking client of the controller API, over TLS with BCJSSE: mTLS with the admin
 * certificate for platform-team commands, server-authenticated TLS for join (the joining side has
 * no certificate yet; it proves itself with the token after pinning the mesh CA).
 */
public final class ApiClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  private static final long TIMEOUT_SECONDS = 120;

  private final Vertx vertx;
  private final HttpClientAgent http;
  private final URI base;

  private ApiClient(URI base, HttpClientOptions options) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.base = base;
    this.http = vertx.createHttpClient(options.setDefaultHost(base.getHost()).setDefaultPort(base.getPort() > 0 ? base.getPort() : 443));
  }

  /** Admin access from the CLI config (mTLS with the admin certificate). */
  public static ApiClient admin(CliConfig config, Passphrase passphrase) {
    List<X509Certificate> certs = Pem.readCertificates(Path.of(config.certFile()));
    PrivateKey key = Pem.decodePrivateKey(config.keyFile(), Pem.readText(Path.of(config.keyFile())), passphrase);
    KeyMatch.require(config.keyFile(), certs.get(0), key);
    TrustBundle trust = TrustBundle.parse(config.trustedCaFile(), Pem.readText(Path.of(config.trustedCaFile())));
    CertifiedKey identity = new CertifiedKey(certs.get(0), key, certs.subList(1, certs.size()));
    return new ApiClient(URI.create(config.controller()), MeshTls.mutualTlsClient(new HttpClientOptions(), identity, trust));
  }

  /** TLS that trusts only {@code trust} and presents no certificate (join, after pinning the CA). */
  public static ApiClient serverAuthenticated(String url, TrustBundle trust) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setUseAlpn(true).setVerifyHost(true)
        .setTrustOptions(MeshTls.trustOptions(trust)).setEnabledSecureTransportProtocols(MeshTls.PROTOCOLS);
    return new ApiClient(URI.create(url), o);
  }

  /**
   * TLS that accepts any server certificate. Used for exactly one request: fetching the public CA
   * bundle, which the caller then checks against the pinned {@code --ca-hash} before trusting it.
   * Nothing secret is ever sent on this client.
   */
  public static ApiClient unverifiedForCaDiscovery(String url) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false)
        .setEnabledSecureTransportProtocols(MeshTls.PROTOCOLS);
    return new ApiClient(URI.create(url), o);
  }

  public JsonNode get(String path) {
    return call(HttpMethod.GET, path, null, null);
  }

  /** A GET whose answer is text (Prometheus metrics); a status of 400 or more throws. */
  public String getText(String path) {
    try {
      var response = http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path))
          .compose(req -> req.send())
          .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b}))
          .toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      int status = (Integer) response[0];
      String text = ((Buffer) response[1]).toString(java.nio.charset.StandardCharsets.UTF_8);
      if (status >= 400) {
        throw new ApiClientException(status, "Error", null, "HTTP " + status + ": " + text, null);
      }
      return text;
    } catch (ExecutionException | TimeoutException e) {
      throw new ApiClientException(0, "Unreachable", "controller", "cannot reach the controller at " + base + ": " + e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiClientException(0, "Interrupted", "controller", "interrupted", null);
    }
  }

  public JsonNode post(String path, Object body, String bearer) {
    return call(HttpMethod.POST, path, body, bearer);
  }

  public JsonNode delete(String path) {
    return call(HttpMethod.DELETE, path, null, null);
  }

  public JsonNode call(HttpMethod method, String path, Object body, String bearer) {
    try {
      return call(method, path, body == null ? null : JSON.writeValueAsBytes(body), "application/json", bearer);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode the request body: " + e.getMessage(), e);
    }
  }

  /** A request with a body of the given media type (e.g. policy documents). */
  public JsonNode call(HttpMethod method, String path, byte[] body, String contentType, String bearer) {
    try {
      RequestOptions ro = new RequestOptions().setMethod(method).setURI(path).putHeader("Accept", "application/json");
      if (bearer != null) {
        ro.putHeader("Authorization", "Bearer " + bearer);
      }
      Buffer payload = body == null ? null : Buffer.buffer(body);
      if (payload != null) {
        ro.putHeader("Content-Type", contentType);
      }
      var response = http.request(ro)
          .compose(req -> payload == null ? req.send() : req.send(payload))
          .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b}))
          .toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      int status = (Integer) response[0];
      Buffer b = (Buffer) response[1];
      JsonNode node = b.length() == 0 ? JSON.createObjectNode() : JSON.readTree(b.getBytes());
      if (status >= 400) {
        String field = node.hasNonNull("field") ? node.get("field").asText() : null;
        String message = node.path("message").asText("HTTP " + status);
        if (field != null && !message.startsWith(field)) {
          message = field + ": " + message;
        }
        StringBuilder all = new StringBuilder(message);
        for (JsonNode f : node.path("findings")) {
          all.append(System.lineSeparator()).append("  - ").append(f.path("field").asText()).append(": ").append(f.path("message").asText());
        }
        throw new ApiClientException(status, node.path("code").asText("Error"), field, all.toString(), node);
      }
      return node;
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new ApiClientException(0, "Unreachable", "controller", "cannot reach the controller at " + base + ": " + c.getMessage(), null);
    } catch (TimeoutException e) {
      throw new ApiClientException(0, "Timeout", "controller", "the controller at " + base + " did not answer within " + TIMEOUT_SECONDS + " s", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiClientException(0, "Interrupted", "controller", "interrupted", null);
    } catch (java.io.IOException e) {
      throw new ApiClientException(0, "BadResponse", "controller", "unreadable answer from the controller: " + e.getMessage(), null);
    }
  }

  public static ObjectMapper json() {
    return JSON;
  }

  @Override
  public void close() {
    http.close();
    vertx.close();
  }
}
