package io.meshfed.controller.ha;

import io.meshfed.controller.member.ConnectionSettings;
import io.meshfed.controller.member.ReconnectJitter;
import io.meshfed.controller.policy.PolicyKind;
import io.meshfed.controller.policy.rollout.RolloutSettings;
import io.meshfed.controller.config.ControllerConfig;
import io.meshfed.controller.sync.SyncSession;
import java.time.Duration;
import java.util.List;

/**
 * The most TCP connections the controller can open to one member while the member refuses every
 * connection for a time T, derived from the retry schedules in the code; and what the same clients
 * would open if each retried at its base interval without backing off. Only an upper bound is
 * derived: a slow machine makes fewer attempts, never more.
 *
 * <p>Everything of the controller that talks to a member during such an outage, as a retry
 * stream each (nothing else does: the audit skips an unreachable member, sessions are not
 * restarted without a cacheTTL, credentials are renewed only when due, nobody joins):
 * <ul>
 *   <li>The sync session's {@value #SYNC_INFORMERS} informers (CiliumIdentity, CiliumNode,
 *       CiliumEndpoint, Service, EndpointSlice; {@code SyncSession.start}) and the policy
 *       rollout's informers (one per {@link PolicyKind}) each lose their watch at the cut.
 *       fabric8's watch manager schedules reconnect k (k = 0, 1, ...) {@code w × 2^min(k, 5)}
 *       after the previous attempt failed, w being the client's {@code watchReconnectInterval};
 *       attempt k thus starts no earlier than {@code C_k = w × (2^0 + ... + 2^min(k, 5))} after the
 *       cut. The sync client's w is read from the member's sync status; the policy client's is
 *       not shown, so the least {@link ReconnectJitter} gives is taken.
 *   <li>The sync probe: one {@code /version} every {@link SyncSession#PROBE_INTERVAL}, fixed (one
 *       cheap request, and what sees the member return).
 *   <li>The policy rollout's passes: a failed pass retries after at least half of
 *       {@code min(max, initial × 2^(n-1))} (n failures so far, "equal jitter",
 *       {@code RetryBackoff}), and the resync starts a pass every
 *       {@link ControllerConfig#DEFAULT_POLICY_RESYNC_SECONDS} s whatever the backoff. A failing
 *       pass makes one request (its first list fails).
 *   <li>The cilium-clustermesh Secret round, every 5 minutes ({@code LeaderDuties}): one request.
 * </ul>
 * A stream with first delay d doubling to cap c makes at most {@code #{k : C_k <= T}} attempts in
 * T, a fixed one with period p at most {@code floor(T / p) + 1}; each stream may have one more
 * already scheduled at the cut. An attempt is one request, which fabric8 retries {@code retries}
 * times (1 for sync and Secret clients, 0 for policy clients), and each of those tries the JDK
 * client under fabric8's jdk transport sends twice: {@code MultiExchange} re-sends a request once,
 * on a new connection, when its connection closes before the answer or is refused
 * ({@code ConnectionExpiredException}, {@code ConnectException}; seen: connections in pairs a few
 * ms apart). For T = 24 s and a sync w of 1 s that is 174 connections, against 890 without
 * backoff.
 */
final class RetryBudget {
  static final int SYNC_INFORMERS = 5;
  /** fabric8 doubles the watch reconnect interval at most five times (ExponentialBackoffIntervalCalculator). */
  private static final int WATCH_DOUBLINGS = 5;
  /** The JDK client's own second send of a request whose connection closed or was refused. */
  private static final long JDK_SENDS = 2;
  private static final Duration CLUSTERMESH_ROUND = Duration.ofMinutes(5);

  /** {@code count} identical retry streams: first retry after {@code firstMs}, doubling up to {@code capMs} (equal: fixed). */
  private record Stream(int count, long firstMs, long capMs, int retries) {
    long connections(long outageMs, boolean backoff) {
      long attempts;
      if (firstMs == capMs) {
        attempts = outageMs / firstMs + 1;
      } else if (!backoff) {
        attempts = outageMs / firstMs;
      } else {
        attempts = 0;
        long startsAt = 0;
        for (long delay = firstMs; (startsAt += delay) <= outageMs; delay = Math.min(capMs, delay * 2)) {
          attempts++;
        }
      }
      return count * (attempts + (backoff ? 1 : 0)) * JDK_SENDS * (1L + retries);
    }
  }

  private RetryBudget() {}

  /** The most connections within {@code outage}, the sync client's watch interval being {@code watchReconnectMs}. */
  static long withBackoff(Duration outage, int watchReconnectMs) {
    return streams(watchReconnectMs).stream().mapToLong(s -> s.connections(outage.toMillis(), true)).sum();
  }

  /** The connections within {@code outage} if every stream retried at its first interval, never doubling. */
  static long withFixedInterval(Duration outage, int watchReconnectMs) {
    return streams(watchReconnectMs).stream().mapToLong(s -> s.connections(outage.toMillis(), false)).sum();
  }

  private static List<Stream> streams(int syncWatchMs) {
    RolloutSettings policy = RolloutSettings.defaults();
    int syncRetries = ConnectionSettings.DEFAULT.retries();
    int policyRetries = policy.connection().retries();
    long policyWatchMs = ReconnectJitter.WATCH_RECONNECT_MILLIS / 2;
    long probeMs = SyncSession.PROBE_INTERVAL.toMillis();
    long resyncMs = ControllerConfig.DEFAULT_POLICY_RESYNC_SECONDS * 1000L;
    long secretsMs = CLUSTERMESH_ROUND.toMillis();
    return List.of(
        new Stream(SYNC_INFORMERS, syncWatchMs, (long) syncWatchMs << WATCH_DOUBLINGS, syncRetries),
        new Stream(1, probeMs, probeMs, syncRetries),
        new Stream(PolicyKind.values().length, policyWatchMs, policyWatchMs << WATCH_DOUBLINGS, policyRetries),
        new Stream(1, policy.retry().initial().toMillis() / 2, policy.retry().max().toMillis() / 2, policyRetries),
        new Stream(1, resyncMs, resyncMs, policyRetries),
        new Stream(1, secretsMs, secretsMs, syncRetries));
  }
}
