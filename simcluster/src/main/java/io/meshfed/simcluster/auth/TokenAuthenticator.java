package io.meshfed.simcluster.auth;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates a request from its {@code Authorization: Bearer} header, as the API server's
 * token authenticators do: a known static token (admin and the {@code --user}s) or a live
 * ServiceAccount token is its user; a request without a bearer token is {@link UserInfo#ANONYMOUS};
 * any other token is refused (401), whatever the path.
 */
public final class TokenAuthenticator {

  private static final String BEARER = "bearer ";

  private final Map<String, UserInfo> staticTokens;
  private final ServiceAccountTokens serviceAccountTokens;
  private final ServiceAccountTokens.ServiceAccountLookup serviceAccounts;

  public TokenAuthenticator(Map<String, UserInfo> staticTokens, ServiceAccountTokens serviceAccountTokens,
      ServiceAccountTokens.ServiceAccountLookup serviceAccounts) {
    this.staticTokens = Map.copyOf(staticTokens);
    this.serviceAccountTokens = serviceAccountTokens;
    this.serviceAccounts = serviceAccounts;
  }

  /**
   * The user of the request: anonymous without a bearer token, empty when the token is not
   * (or no longer) valid.
   */
  public Optional<UserInfo> authenticate(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      return Optional.of(UserInfo.ANONYMOUS);
    }
    String token = authorizationHeader.substring(BEARER.length()).trim();
    if (token.isEmpty()) {
      return Optional.of(UserInfo.ANONYMOUS);
    }
    UserInfo user = staticTokens.get(token);
    if (user != null) {
      return Optional.of(user);
    }
    return serviceAccountTokens.authenticate(token, serviceAccounts);
  }
}
