package io.meshfed.controller.member;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and retries for a member's API.
 *
 * <p>Why not fabric8's defaults: they retry a refused connection ten times with exponential
 * backoff (about 100 s in all), so an unreachable member would stall a join pre-flight or a
 * worker thread for minutes. One unreachable member must cost seconds.
 *
 * @param connectTimeout how long to wait for a TCP/TLS connection
 * @param requestTimeout how long to wait for one response
 * @param retries        how often a failed request (refused connection, HTTP 5xx) is retried
 */
public record ConnectionSettings(Duration connectTimeout, Duration requestTimeout, int retries) {

  /** 5 s to connect, 30 s per request, 1 retry. */
  public static final ConnectionSettings DEFAULT =
      new ConnectionSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 1);

  public ConnectionSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive: connect " + connectTimeout + ", request "
          + requestTimeout);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
    }
  }
}
