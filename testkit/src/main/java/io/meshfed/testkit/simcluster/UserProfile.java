package io.meshfed.testkit.simcluster;

import java.util.Locale;

/**
 * What an extra user of the simulated clusters may do ({@link SimulatedClusters.Builder#user}).
 * The simulated cluster authorizes like an API server with RBAC; a profile is a group the user is
 * in, so RBAC objects created in the simulated cluster can grant a profile user more.
 */
public enum UserProfile {
  /** In {@code system:masters}: allowed everything, like the built-in {@code admin}. */
  ADMIN,
  /** get, list and watch on every resource (secrets included) and get on every path; nothing else. */
  READONLY;

  /** The launcher's spelling: {@code profile=admin|readonly}. */
  String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
