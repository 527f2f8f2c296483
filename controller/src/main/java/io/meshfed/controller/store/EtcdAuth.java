package io.meshfed.controller.store;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.meshfed.certs.FipsRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Users and roles in etcd (etcd runs with {@code --client-cert-auth}, so a client certificate's CN
 * is its user name; the random passwords {@link #ensureUser} sets are never used or stored). The one
 * exception is a member whose agents read through an etcd gRPC proxy: the proxy cannot forward a
 * certificate identity, so that member's user gets a password the controller keeps sealed
 * ({@link #ensureMemberUser(String, String)}).
 *
 * <ul>
 *   <li>{@code root}: etcd's own root role; needed before auth can be enabled.
 *   <li>{@value #CONTROLLER_USER}: read-write on {@code meshfed/} (its state) and {@code cilium/}
 *       (the synced Cilium data it writes), nothing else.
 * </ul>
 *
 * <p>Every step is idempotent, so a bootstrap that failed half-way can simply run again.
 */
public final class EtcdAuth {
  public static final String CONTROLLER_USER = "meshfed-controller";
  public static final String CONTROLLER_ROLE = "meshfed-controller";
  /** The prefixes the controller owns. */
  public static final List<String> CONTROLLER_PREFIXES = List.of(MeshKeys.PREFIX, "cilium/");

  private final Auth auth;

  public EtcdAuth(Client rootClient) {
    this.auth = rootClient.getAuthClient();
  }

  /** Creates the controller's role and user, the root user, and enables auth. */
  public void setUpForController() {
    ensureRole(CONTROLLER_ROLE, CONTROLLER_PREFIXES, Permission.Type.READWRITE);
    ensureUser(CONTROLLER_USER, CONTROLLER_ROLE);
    ensureUser("root", "root");
    MeshStore.await(auth.authEnable(), "etcd auth");
  }

  /** The role every member's etcd user has: read-only on what Cilium agents read (spec 1.6 "local"). */
  public static final String MEMBER_READER_ROLE = "meshfed-member-read";
  /** Prefixes of the member reader role. */
  public static final List<String> MEMBER_READ_PREFIXES = List.of("cilium/cache/", "cilium/cluster-config/", "cilium/synced/");
  /** The single key of the member reader role. */
  public static final String HEARTBEAT_KEY = "cilium/.heartbeat";

  /** The etcd user (= certificate CN) of a member's Cilium agents. */
  public static String memberUser(String cluster) {
    return "member-" + cluster;
  }

  /** Creates the member reader role if needed and a user for {@code cluster} with it. */
  public void ensureMemberUser(String cluster) {
    ensureRole(MEMBER_READER_ROLE, MEMBER_READ_PREFIXES, Permission.Type.READ);
    MeshStore.await(auth.roleGrantPermission(bytes(MEMBER_READER_ROLE), bytes(HEARTBEAT_KEY), ByteSequence.EMPTY, Permission.Type.READ),
        "etcd role " + MEMBER_READER_ROLE);
    ensureUser(memberUser(cluster), MEMBER_READER_ROLE);
  }

  /**
   * As {@link #ensureMemberUser(String)}, and sets the user's password, so that the member's agents
   * can authenticate through an etcd gRPC proxy. Setting it again replaces the old one.
   */
  public void ensureMemberUser(String cluster, String password) {
    ensureMemberUser(cluster);
    MeshStore.await(auth.userChangePassword(bytes(memberUser(cluster)), bytes(password)), "etcd user " + memberUser(cluster));
  }

  /** Deletes a member's etcd user: its certificate reads nothing from then on. */
  public void removeMemberUser(String cluster) {
    try {
      MeshStore.await(auth.userDelete(bytes(memberUser(cluster))), "etcd user " + memberUser(cluster));
    } catch (StoreException e) {
      if (!String.valueOf(e.getMessage()).contains("not found")) {
        throw e;
      }
    }
  }

  /** A role with {@code type} access to each prefix (and nothing else). */
  public void ensureRole(String role, List<String> prefixes, Permission.Type type) {
    try {
      MeshStore.await(auth.roleAdd(bytes(role)), "etcd role " + role);
    } catch (StoreException e) {
      if (!alreadyExists(e)) {
        throw e;
      }
    }
    for (String prefix : prefixes) {
      MeshStore.await(auth.roleGrantPermission(bytes(role), bytes(prefix), bytes(prefixEnd(prefix)), type), "etcd role " + role);
    }
  }

  /** A user (password random and discarded: it authenticates by certificate) with one role. */
  public void ensureUser(String user, String role) {
    try {
      byte[] pw = new byte[24];
      FipsRandom.get().nextBytes(pw);
      MeshStore.await(auth.userAdd(bytes(user), bytes(HexFormat.of().formatHex(pw))), "etcd user " + user);
    } catch (StoreException e) {
      if (!alreadyExists(e)) {
        throw e;
      }
    }
    MeshStore.await(auth.userGrantRole(bytes(user), bytes(role)), "etcd user " + user);
  }

  /** Removes a user and its role of the same name (leave); missing ones are fine. */
  public void removeUserAndRole(String user) {
    for (Runnable step : List.<Runnable>of(
        () -> MeshStore.await(auth.userDelete(bytes(user)), "etcd user " + user),
        () -> MeshStore.await(auth.roleDelete(bytes(user)), "etcd role " + user))) {
      try {
        step.run();
      } catch (StoreException e) {
        if (!String.valueOf(e.getMessage()).contains("not found")) {
          throw e;
        }
      }
    }
  }

  /** The end of the key range of a prefix: the prefix with its last byte incremented. */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private static boolean alreadyExists(StoreException e) {
    return String.valueOf(e.getMessage()).contains("already exists");
  }

  private static ByteSequence bytes(String s) {
    return MeshStore.bytes(s);
  }
}
