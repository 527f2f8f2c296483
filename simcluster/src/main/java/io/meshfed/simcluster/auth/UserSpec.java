package io.meshfed.simcluster.auth;

import java.util.regex.Pattern;

/**
 * A user asked for with {@code --user name=N,profile=P}: every simulated cluster gets it, with its
 * own random token, in {@code kubeconfig-<cluster>-<name>.yaml}.
 */
public record UserSpec(String name, UserProfile profile) {

  /** The built-in user of {@code kubeconfig-<cluster>.yaml}. */
  public static final String ADMIN = "admin";
  /** The name goes into a file name and a kubeconfig: a DNS label keeps both simple. */
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  public UserSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("--user name=" + name + ": a user name has 1 to 63 lower-case letters,"
          + " digits and '-', starting and ending with a letter or digit");
    }
    if (ADMIN.equals(name)) {
      throw new IllegalArgumentException("--user name=admin: built in (the user of kubeconfig-<cluster>.yaml);"
          + " choose another name");
    }
    if (profile == null) {
      throw new IllegalArgumentException("--user name=" + name + ": profile is required (admin or readonly)");
    }
  }
}
