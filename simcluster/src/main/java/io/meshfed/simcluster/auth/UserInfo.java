package io.meshfed.simcluster.auth;

import java.util.List;

/**
 * Who a request runs as, after authentication: a user name and its groups, as the API server's
 * {@code user.Info}. Authorization only ever looks at these two.
 *
 * @param name e.g. {@code admin} or {@code system:serviceaccount:meshfed:meshfed-controller}
 * @param groups e.g. {@code system:serviceaccounts}, {@code system:authenticated}
 */
public record UserInfo(String name, List<String> groups) {

  /** Members bypass authorization, as with the API server's privileged-group authorizer. */
  public static final String MASTERS = "system:masters";
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String SERVICE_ACCOUNTS = "system:serviceaccounts";
  public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  /** A request without credentials, as the API server names it. */
  public static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", List.of(UNAUTHENTICATED));

  public UserInfo {
    groups = List.copyOf(groups);
  }

  /** The user a ServiceAccount token authenticates as, with the groups the API server gives it. */
  public static UserInfo serviceAccount(String namespace, String name) {
    return new UserInfo(serviceAccountUserName(namespace, name),
        List.of(SERVICE_ACCOUNTS, SERVICE_ACCOUNTS + ":" + namespace, AUTHENTICATED));
  }

  public static String serviceAccountUserName(String namespace, String name) {
    return SERVICE_ACCOUNT_PREFIX + namespace + ":" + name;
  }

  public boolean isAnonymous() {
    return groups.contains(UNAUTHENTICATED);
  }
}
