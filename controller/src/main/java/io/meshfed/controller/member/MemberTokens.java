package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short-lived tokens for the controller's ServiceAccount, from the TokenRequest API.
 *
 * <p>Join requests the first token with the user's admin kubeconfig; after that the controller
 * renews it with the token itself: the Role in meshfed-system grants exactly
 * {@code create serviceaccounts/token} on {@code meshfed-controller}, so no admin credential is
 * kept anywhere. A token that has expired cannot renew itself; the member must then be joined
 * again, which is why renewal starts when a third of the lifetime is left.
 */
public final class MemberTokens {

  /** The API server refuses TokenRequests for less than 10 minutes. */
  public static final Duration MIN_TTL = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(MemberTokens.class);

  private final String cluster;
  private final Clock clock;

  /**
   * Token requests for one member.
   *
   * @param cluster the name the member is known by (for logs and messages)
   * @param clock   the time a token's lifetime is counted from
   */
  public MemberTokens(String cluster, Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A new token. */
  record TokenGrant(String token, Instant issuedAt, Instant expiresAt) {
    @Override
    public String toString() {
      return "TokenGrant[token=(redacted), issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
    }
  }

  /**
   * True when less than a third of the token's lifetime is left (or it has expired): renewing
   * then leaves two retries' worth of time before the member is lost.
   */
  public static boolean needsRenewal(MemberCredentials credentials, Clock clock) {
    Duration remaining = credentials.remaining(clock);
    return remaining.multipliedBy(3).compareTo(credentials.lifetime()) < 0;
  }

  /**
   * A new token for the controller's ServiceAccount, requested with its current one.
   *
   * @param saClient a client built from {@code credentials} ({@link MemberConnection#fromCredentials})
   * @throws MemberApiException when the member refuses (401: the token expired or the ServiceAccount
   *     was deleted, so the member must join again) or cannot be reached
   */
  public MemberCredentials renew(KubernetesClient saClient, MemberCredentials credentials, Duration ttl) {
    TokenGrant grant = request(saClient, ttl);
    LOG.info("cluster={} op=token-renew serviceAccount={}/{} expiresAt={}", cluster, MemberRbac.NAMESPACE,
        MemberRbac.SERVICE_ACCOUNT, grant.expiresAt());
    return credentials.withToken(grant.token(), grant.issuedAt(), grant.expiresAt());
  }

  /** A TokenRequest for the controller's ServiceAccount, with whatever identity {@code client} has. */
  TokenGrant request(KubernetesClient client, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(MIN_TTL) < 0) {
      throw new IllegalArgumentException("token ttl must be at least " + MIN_TTL.toMinutes()
          + " minutes (the API server's minimum), not " + ttl);
    }
    Instant issuedAt = clock.instant();
    TokenRequest response;
    try {
      response = client.serviceAccounts().inNamespace(MemberRbac.NAMESPACE).withName(MemberRbac.SERVICE_ACCOUNT)
          .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(ttl.toSeconds()).endSpec()
              .build());
    } catch (KubernetesClientException e) {
      LOG.warn("cluster={} op=token-request serviceAccount={}/{} result=error code={} error=\"{}\"", cluster,
          MemberRbac.NAMESPACE, MemberRbac.SERVICE_ACCOUNT, e.getCode(), KubernetesErrors.summary(e));
      String hint = e.getCode() == KubernetesErrors.UNAUTHORIZED
          ? "; the token was refused (expired, or the ServiceAccount was deleted): join the member again" : "";
      throw new MemberApiException("cluster " + cluster + ": TokenRequest for ServiceAccount " + MemberRbac.NAMESPACE
          + "/" + MemberRbac.SERVICE_ACCOUNT + " failed: " + KubernetesErrors.summary(e) + hint, e.getCode(), e);
    }
    if (response == null || response.getStatus() == null || response.getStatus().getToken() == null
        || response.getStatus().getToken().isBlank()) {
      throw new MemberApiException("cluster " + cluster + ": TokenRequest for ServiceAccount " + MemberRbac.NAMESPACE
          + "/" + MemberRbac.SERVICE_ACCOUNT + " returned no token", 0, null);
    }
    Instant expiresAt = expiry(response.getStatus().getExpirationTimestamp(), issuedAt.plus(ttl));
    return new TokenGrant(response.getStatus().getToken(), issuedAt, expiresAt);
  }

  /** The server's expiry (it may grant less than asked), else what was asked. */
  private static Instant expiry(String timestamp, Instant asked) {
    if (timestamp == null || timestamp.isBlank()) {
      return asked;
    }
    try {
      return OffsetDateTime.parse(timestamp).toInstant();
    } catch (DateTimeParseException e) {
      return asked;
    }
  }
}
