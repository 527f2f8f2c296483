package io.meshfed.controller.store;

/**
 * The controller's own keys in etcd, all under {@code meshfed/}. One place, so a reader finds the
 * whole layout here (see docs/architecture.md for what each value holds).
 */
public final class MeshKeys {
  public static final String PREFIX = "meshfed/";
  public static final String SCHEMA_VERSION = PREFIX + "schema-version";
  public static final String MESH = PREFIX + "mesh";
  public static final String CA = PREFIX + "ca";
  public static final String CLUSTERS = PREFIX + "clusters/";
  public static final String CLUSTER_IDS = PREFIX + "cluster-ids/";
  public static final String CLUSTER_UIDS = PREFIX + "cluster-uids/";
  public static final String TOKENS = PREFIX + "tokens/";
  public static final String REVOKED = PREFIX + "revoked/";
  /** Mesh policies: {@code <cnp|ccnp>/<namespace|_cluster>/<name>} (see policy.store.PolicyStore). */
  public static final String POLICIES = PREFIX + "policies/";
  /** Per member and policy: {@code <cluster>/<policy key>}. */
  public static final String POLICY_STATUS = PREFIX + "policy-status/";
  /** Drift audit events: {@code <policy key>/<time>-<seq>-<cluster>}, the newest 100 per policy. */
  public static final String POLICY_EVENTS = PREFIX + "policy-events/";
  /**
   * Members whose leave is under way: {@code <cluster>} -> the instant it started. Every replica's
   * policy rollout stops writing to such a member, so no push or drift restore undoes the leave's
   * prune; deleted with the member's record.
   */
  public static final String LEAVING = PREFIX + "leaving/";

  /** The schema this build writes and reads. */
  public static final int SCHEMA = 1;

  private MeshKeys() {}

  public static String leaving(String name) {
    return LEAVING + name;
  }

  public static String cluster(String name) {
    return CLUSTERS + name;
  }

  public static String clusterId(int id) {
    return CLUSTER_IDS + id;
  }

  public static String clusterUid(String uid) {
    return CLUSTER_UIDS + uid;
  }

  public static String token(String id) {
    return TOKENS + id;
  }

  public static String revoked(String serialHex) {
    return REVOKED + serialHex;
  }
}
