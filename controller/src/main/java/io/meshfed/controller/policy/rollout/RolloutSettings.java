package io.meshfed.controller.policy.rollout;

import io.meshfed.controller.member.ConnectionSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How the policy rollout paces itself.
 *
 * @param resyncInterval a full reconcile of every member this often (besides the immediate ones
 *                       after a policy change, a join or leave, and drift)
 * @param workers        threads that run member passes (one member at a time each; a member never
 *                       runs on two)
 * @param retry          backoff of a member that cannot be reached and of a policy a member refused
 * @param connection     timeouts of the member API (no retries inside fabric8: ours back off)
 */
public record RolloutSettings(Duration resyncInterval, int workers, RetryBackoff retry, ConnectionSettings connection) {

  /** 30 s resync, 4 workers, backoff 0.5 s doubling to 30 s, 5 s connect / 15 s per request. */
  public static RolloutSettings defaults() {
    return new RolloutSettings(Duration.ofSeconds(30), 4, new RetryBackoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
        new ConnectionSettings(Duration.ofSeconds(5), Duration.ofSeconds(15), 0));
  }

  public RolloutSettings {
    Objects.requireNonNull(resyncInterval, "resyncInterval");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(connection, "connection");
    if (resyncInterval.isZero() || resyncInterval.isNegative()) {
      throw new IllegalArgumentException("resyncInterval must be positive");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
  }

  public RolloutSettings withResyncInterval(Duration interval) {
    return new RolloutSettings(interval, workers, retry, connection);
  }
}
