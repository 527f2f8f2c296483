package io.meshfed.testkit.etcd;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Asks one member's plain-HTTP metrics listener how it is doing.
 *
 * <p>The metrics listener is used instead of the client port because, with
 * {@code --client-cert-auth}, the client port would demand a client certificate the launcher
 * does not have; the listener serves only {@code /health} and {@code /metrics}, never data.
 */
final class MemberProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern IS_LEADER = Pattern.compile("(?m)^etcd_server_is_leader 1$");

    private final URI healthUri;
    private final URI metricsUri;

    MemberProbe(int metricsPort) {
        this.healthUri = URI.create("http://127.0.0.1:" + metricsPort + "/health");
        this.metricsUri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
    }

    /**
     * True when etcd reports itself healthy, which it does only when the member has a leader and
     * can serve a linearizable read: healthy everywhere means ready for writes.
     */
    boolean isHealthy() throws InterruptedException {
        return get(healthUri)
                .filter(body -> body.replace(" ", "").contains("\"health\":\"true\""))
                .isPresent();
    }

    /** True when the member currently leads the raft group (its {@code etcd_server_is_leader} gauge). */
    boolean isLeader() throws InterruptedException {
        return get(metricsUri).filter(body -> IS_LEADER.matcher(body).find()).isPresent();
    }

    URI healthUri() {
        return healthUri;
    }

    /** The body of a 200 answer; empty when the member does not answer (yet) or answers otherwise. */
    private static Optional<String> get(URI uri) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException notListening) {
            return Optional.empty();
        }
    }
}
