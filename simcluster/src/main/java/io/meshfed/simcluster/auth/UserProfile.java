package io.meshfed.simcluster.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user named on the launcher's command line may do. A profile is only a set of groups, as
 * it would be in a real cluster: {@code admin} is in {@code system:masters} (allowed everything),
 * {@code readonly} is in {@link BootstrapPolicy#READONLY_GROUP}, which a built-in ClusterRole
 * binding allows get, list and watch on everything. So RBAC objects can grant a profile user more.
 */
public enum UserProfile {
  ADMIN(List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED)),
  READONLY(List.of(BootstrapPolicy.READONLY_GROUP, UserInfo.AUTHENTICATED));

  private final List<String> groups;

  UserProfile(List<String> groups) {
    this.groups = groups;
  }

  public List<String> groups() {
    return groups;
  }

  /** The word used on the command line: {@code admin}, {@code readonly}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static UserProfile parse(String value) {
    for (UserProfile profile : values()) {
      if (profile.flagValue().equals(value)) {
        return profile;
      }
    }
    throw new IllegalArgumentException("profile=" + value + ": expected one of "
        + Arrays.stream(values()).map(UserProfile::flagValue).collect(Collectors.joining(", ")));
  }
}
