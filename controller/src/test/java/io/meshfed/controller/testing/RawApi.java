package io.meshfed.controller.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import io.meshfed.controller.bootstrap.Bootstrap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Raw HTTPS requests to the harness's controller, bytes in and status, headers and text out (for
 * tests of what the typed {@code ApiClient} would never send): as the admin, or with no client
 * certificate at all. Every request has an idle timeout, so a hang fails the request, not the run.
 */
public final class RawApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MeshHarness mesh;
  public final HttpClient admin;
  public final HttpClient anonymous;

  public RawApi(Vertx vertx, MeshHarness mesh) {
    this.mesh = mesh;
    CertifiedKey adminKey = CertificateIssuer.systemDefault().issueLeaf(mesh.mesh.pki.root(), LeafSpec.client(Bootstrap.ADMIN_CN), KeyType.EC_P256);
    // A connection per request, as a hostile client would: no case depends on the connection the last one left.
    this.admin = vertx.createHttpClient(MeshTls.mutualTlsClient(new HttpClientOptions().setKeepAlive(false), adminKey, mesh.mesh.bundle()));
    this.anonymous = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setKeepAlive(false)
        .setTrustOptions(MeshTls.trustOptions(mesh.mesh.bundle())));
  }

  /** What the controller answered. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not a JSON body (" + status + "): " + brief(), e);
      }
    }

    /** The body cut to 300 characters, for assertion messages. */
    public String brief() {
      return body.substring(0, Math.min(300, body.length()));
    }
  }

  public Answer get(String path) throws Exception {
    return send(admin, HttpMethod.GET, path, null, null);
  }

  /** A JSON POST without a client certificate, with a join token as bearer (the join endpoints). */
  public Answer sendWithBearer(String path, String token, byte[] json) throws Exception {
    return send(anonymous, HttpMethod.POST, path, "application/json", json, token);
  }

  public Answer send(HttpClient client, HttpMethod method, String path, String contentType, byte[] body) throws Exception {
    return send(client, method, path, contentType, body, null);
  }

  private Answer send(HttpClient client, HttpMethod method, String path, String contentType, byte[] body, String bearer) throws Exception {
    RequestOptions ro = new RequestOptions().setMethod(method).setHost("localhost").setPort(mesh.controller().port()).setURI(path)
        .setIdleTimeout(15_000);
    if (bearer != null) {
      ro.putHeader("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      ro.putHeader("Content-Type", contentType);
    }
    return client.request(ro)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(r -> r.body().map(b -> {
          Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          r.headers().forEach(e -> h.put(e.getKey(), e.getValue()));
          return new Answer(r.statusCode(), h, b.toString(StandardCharsets.UTF_8));
        }))
        .toCompletionStage().toCompletableFuture().get(40, TimeUnit.SECONDS);
  }
}
