package io.meshfed.controller.tokens;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.controller.http.ApiException;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.TokenRecord;
import io.meshfed.controller.store.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join tokens: short-lived, use-counted, stored hashed under an etcd lease. Spending a use happens
 * inside the join's registration transaction ({@link MeshStore#registerJoining}), so two joins can
 * never both spend the last use.
 */
public final class TokenService {
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  public static final Duration MAX_TTL = Duration.ofDays(1);
  public static final Duration MIN_TTL = Duration.ofMinutes(1);
  public static final int MAX_USES = 100;
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);

  private final MeshStore store;
  private final Clock clock;

  public TokenService(MeshStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A new token and what was stored for it (the secret is in the token only). */
  public record Created(JoinToken token, TokenRecord record) {}

  public Created create(Duration ttl, int uses, String clusterName, String description) {
    if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw ApiException.badRequest("ttl", "must be between 1m and 24h, got " + ttl);
    }
    if (uses < 1 || uses > MAX_USES) {
      throw ApiException.badRequest("uses", "must be 1-" + MAX_USES + ", got " + uses);
    }
    if (clusterName != null) {
      ClusterName.parse(clusterName);
    }
    if (description != null && description.length() > 200) {
      throw ApiException.badRequest("description", "must be at most 200 characters");
    }
    if (description != null && description.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
      throw ApiException.badRequest("description", "must not contain control characters (NUL, newlines, escapes)");
    }
    JoinToken token = JoinToken.generate();
    Instant now = clock.instant();
    TokenRecord stored = store.createToken(
        new TokenRecord(token.id(), token.secretSha256(), uses, clusterName, now, now.plus(ttl), 0, description), ttl);
    LOG.info("op=token.create token={} uses={} expiresAt={} cluster={}", token.id(), uses, stored.expiresAt(), clusterName == null ? "-" : clusterName);
    return new Created(token, stored);
  }

  public List<TokenRecord> list() {
    return store.tokens().stream().sorted(Comparator.comparing(TokenRecord::createdAt)).toList();
  }

  public void revoke(String id) {
    if (!store.revokeToken(id)) {
      throw ApiException.notFound("id", "no token with id \"" + id + "\"");
    }
    LOG.info("op=token.revoke token={}", id);
  }

  /**
   * Checks a presented token and returns its record with the revision to spend it against. Each
   * refusal says which rule failed: malformed, unknown or revoked, forged (wrong secret), expired,
   * no uses left, or bound to another cluster name.
   */
  /**
   * The token's record when the presented secret matches, used up or not: what a join whose answer
   * was lost may ask with (its token may have been spent by that very join). Expiry still applies,
   * so an old token learns nothing.
   */
  public Versioned<TokenRecord> authenticateSpent(String presented) {
    JoinToken token = JoinToken.parse(presented);
    if (token == null) {
      throw ApiException.unauthorized("token: malformed; expected <6 chars>.<16 chars> of [a-z0-9]");
    }
    Optional<Versioned<TokenRecord>> found = store.token(token.id());
    if (found.isEmpty() || !token.matches(found.get().value().secretSha256())) {
      throw ApiException.unauthorized("token: unknown, expired, revoked or forged token id \"" + token.id() + "\"");
    }
    if (!clock.instant().isBefore(found.get().value().expiresAt())) {
      throw ApiException.unauthorized("token: expired at " + found.get().value().expiresAt());
    }
    return found.get();
  }

  public Versioned<TokenRecord> authenticate(String presented, String clusterName) {
    JoinToken token = JoinToken.parse(presented);
    if (token == null) {
      throw ApiException.unauthorized("token: malformed; expected <6 chars>.<16 chars> of [a-z0-9]");
    }
    Optional<Versioned<TokenRecord>> found = store.token(token.id());
    if (found.isEmpty()) {
      throw ApiException.unauthorized("token: unknown, expired or revoked token id \"" + token.id() + "\"");
    }
    TokenRecord r = found.get().value();
    if (!token.matches(r.secretSha256())) {
      LOG.warn("op=join.auth token={} refused=forged", token.id());
      throw ApiException.unauthorized("token: the secret does not match token \"" + token.id() + "\" (forged or mistyped)");
    }
    if (!clock.instant().isBefore(r.expiresAt())) {
      throw ApiException.unauthorized("token: expired at " + r.expiresAt());
    }
    if (r.usesLeft() <= 0) {
      throw ApiException.unauthorized("token: already used (no uses left)");
    }
    if (r.clusterName() != null && clusterName != null && !r.clusterName().equals(clusterName)) {
      throw ApiException.forbidden("token: valid only for cluster \"" + r.clusterName() + "\"");
    }
    return found.get();
  }
}
