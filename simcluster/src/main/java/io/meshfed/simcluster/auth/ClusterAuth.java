package io.meshfed.simcluster.auth;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization of one simulated cluster, as a kube-apiserver with token
 * authentication and {@code --authorization-mode=RBAC}:
 * <ul>
 *   <li>users: {@code admin} (profile admin, the token of {@code kubeconfig-<cluster>.yaml}), the
 *       {@code --user}s, and ServiceAccounts through tokens from the TokenRequest API; every token
 *       is random per simulated cluster;</li>
 *   <li>a request with an unknown, expired or revoked token gets 401; one without a token may
 *       only read the public paths ({@code /version}, {@code /healthz}, ...) and gets 401
 *       elsewhere, as with an API server whose anonymous access is limited to those paths;</li>
 *   <li>an authenticated request the {@link Authorizer} denies gets 403.</li>
 * </ul>
 */
public final class ClusterAuth {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterAuth.class);

  /**
   * The outcome of the checks before a request is served: the user it runs as, or the answer
   * that refuses it.
   */
  public record Admission(UserInfo user, MockResponse refusal) {

    public boolean admitted() {
      return refusal == null;
    }
  }

  private final String clusterName;
  private final String adminToken = RandomTokens.next();
  private final Map<String, String> userTokens = new LinkedHashMap<>();
  private final ServiceAccountTokens serviceAccountTokens;
  private final StoredAuthObjects storedObjects;
  private final TokenAuthenticator authenticator;
  private final Authorizer authorizer;
  private final TokenRequests tokenRequests;
  private final SelfSubjectAccessReviews accessReviews;

  public ClusterAuth(String clusterName, KubernetesCrudDispatcher store, List<UserSpec> users, Clock clock) {
    this.clusterName = clusterName;
    Map<String, UserInfo> staticTokens = new LinkedHashMap<>();
    staticTokens.put(adminToken, new UserInfo(UserSpec.ADMIN, UserProfile.ADMIN.groups()));
    for (UserSpec user : users) {
      String token = RandomTokens.next();
      userTokens.put(user.name(), token);
      staticTokens.put(token, new UserInfo(user.name(), user.profile().groups()));
    }
    this.serviceAccountTokens = new ServiceAccountTokens(clock);
    this.storedObjects = new StoredAuthObjects(store);
    this.authenticator = new TokenAuthenticator(staticTokens, serviceAccountTokens, storedObjects);
    this.authorizer = new Authorizer(storedObjects::rbacPolicy);
    this.tokenRequests = new TokenRequests(serviceAccountTokens, storedObjects, clock);
    this.accessReviews = new SelfSubjectAccessReviews(authorizer);
  }

  /** The bearer token of the built-in {@code admin} user. */
  public String adminToken() {
    return adminToken;
  }

  /** The bearer token of each {@code --user}, by user name, in command-line order. */
  public Map<String, String> userTokens() {
    return Collections.unmodifiableMap(userTokens);
  }

  /** Authenticates and authorizes a request before anything serves it. */
  public Admission admit(String authorizationHeader, RequestInfo request) {
    Optional<UserInfo> authenticated = authenticator.authenticate(authorizationHeader);
    if (authenticated.isEmpty()) {
      LOG.info("simulated cluster {}: 401 for {} {} (unknown, expired or revoked token)", clusterName,
          request.verb(), describe(request));
      return new Admission(null, KubernetesStatus.unauthorized());
    }
    UserInfo user = authenticated.get();
    Decision decision = authorizer.authorize(user, request);
    if (decision.allowed()) {
      return new Admission(user, null);
    }
    if (user.isAnonymous()) {
      LOG.info("simulated cluster {}: 401 for {} {} (no token)", clusterName, request.verb(), describe(request));
      return new Admission(null, KubernetesStatus.unauthorized());
    }
    LOG.info("simulated cluster {}: 403 for {} {} {}{}", clusterName, user.name(), request.verb(), describe(request),
        decision.reason().isEmpty() ? "" : " (" + decision.reason() + ")");
    return new Admission(null, KubernetesStatus.forbidden(user, request, decision.reason()));
  }

  public TokenRequests tokenRequests() {
    return tokenRequests;
  }

  public SelfSubjectAccessReviews accessReviews() {
    return accessReviews;
  }

  /** Tells the caches that the store served this request, which may have changed RBAC or ServiceAccounts. */
  public void storeServed(RequestInfo request) {
    storedObjects.written(request);
  }

  /** Makes every ServiceAccount token issued so far expire now; returns how many were still live. */
  public int expireServiceAccountTokens() {
    return serviceAccountTokens.expireAll();
  }

  public void forgetExpiredTokens() {
    serviceAccountTokens.forgetExpired();
  }

  private static String describe(RequestInfo request) {
    if (!request.resourceRequest()) {
      return request.path();
    }
    StringBuilder what = new StringBuilder(request.resourceWithSubresource());
    if (!request.apiGroup().isEmpty()) {
      what.append('.').append(request.apiGroup());
    }
    if (!request.name().isEmpty()) {
      what.append(" \"").append(request.name()).append('"');
    }
    if (!request.namespace().isEmpty()) {
      what.append(" in ").append(request.namespace());
    }
    return what.toString();
  }
}
