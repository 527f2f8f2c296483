package io.meshfed.simcluster.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ServiceAccount tokens a simulated cluster issued through the TokenRequest API, and their
 * checks when they come back, as for a real bound token:
 * <ul>
 *   <li>it expires at the time the TokenRequest answered (launcher wall clock);</li>
 *   <li>it dies with its ServiceAccount: the token carries the ServiceAccount's uid, so deleting
 *       the ServiceAccount (or replacing it by a new one of the same name) makes it invalid;</li>
 *   <li>it authenticates to the API server only if its audiences include the API server's
 *       ({@link #API_AUDIENCE}; a TokenRequest without audiences gets exactly that one).</li>
 * </ul>
 * Unlike a real one it is opaque (not a JWT), so only this simulated cluster can check it.
 */
public final class ServiceAccountTokens {

  /** kube-apiserver's default --api-audiences (the issuer of kubeadm and kind clusters). */
  public static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  /** What the simulated cluster remembers about an issued token. */
  record IssuedToken(String namespace, String name, String uid, Instant expiry, List<String> audiences) {
  }

  /** What the TokenRequest answers. */
  public record Issued(String token, Instant expiry) {
  }

  /** Finds a ServiceAccount's uid, or null when there is none of that name. */
  @FunctionalInterface
  public interface ServiceAccountLookup {
    String uidOf(String namespace, String name);
  }

  private final Clock clock;
  private final Map<String, IssuedToken> byToken = new ConcurrentHashMap<>();

  public ServiceAccountTokens(Clock clock) {
    this.clock = clock;
  }

  /** Issues a token for the ServiceAccount with this uid, valid for the lifetime from now (to the second). */
  public Issued issue(String namespace, String name, String uid, Duration lifetime, List<String> audiences) {
    Instant expiry = now().plus(lifetime);
    String token = RandomTokens.next();
    byToken.put(token, new IssuedToken(namespace, name, uid, expiry, List.copyOf(audiences)));
    return new Issued(token, expiry);
  }

  /**
   * The ServiceAccount user of a token, or empty when the token is unknown, expired, meant for
   * another audience, or its ServiceAccount is gone.
   */
  public Optional<UserInfo> authenticate(String token, ServiceAccountLookup serviceAccounts) {
    IssuedToken issued = byToken.get(token);
    if (issued == null) {
      return Optional.empty();
    }
    if (!now().isBefore(issued.expiry())) {
      byToken.remove(token, issued);
      return Optional.empty();
    }
    if (!issued.audiences().contains(API_AUDIENCE)) {
      return Optional.empty();
    }
    if (!issued.uid().equals(serviceAccounts.uidOf(issued.namespace(), issued.name()))) {
      byToken.remove(token, issued);
      return Optional.empty();
    }
    return Optional.of(UserInfo.serviceAccount(issued.namespace(), issued.name()));
  }

  /**
   * Makes every token issued so far expire now (the {@code expire-tokens} control command), so a
   * test can prove a client renews its token without waiting an hour. Returns how many were live.
   */
  public int expireAll() {
    Instant now = now();
    int live = 0;
    for (Map.Entry<String, IssuedToken> entry : byToken.entrySet()) {
      IssuedToken issued = entry.getValue();
      if (now.isBefore(issued.expiry())) {
        live++;
      }
      byToken.put(entry.getKey(), new IssuedToken(issued.namespace(), issued.name(), issued.uid(), now,
          issued.audiences()));
    }
    return live;
  }

  /** Forgets expired tokens; they would be refused anyway, this only bounds memory in long runs. */
  public void forgetExpired() {
    Instant now = now();
    byToken.values().removeIf(issued -> !now.isBefore(issued.expiry()));
  }

  private Instant now() {
    // Seconds, as a token's exp claim and expirationTimestamp carry them.
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }
}
