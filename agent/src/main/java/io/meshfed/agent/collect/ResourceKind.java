package io.meshfed.agent.collect;

/** The kinds the agent lists, always across all namespaces. */
public enum ResourceKind {
  NODES("", "v1", "nodes"),
  SERVICES("", "v1", "services"),
  CILIUM_IDENTITIES("cilium.io", "v2", "ciliumidentities"),
  CILIUM_ENDPOINTS("cilium.io", "v2", "ciliumendpoints"),
  CILIUM_NODES("cilium.io", "v2", "ciliumnodes"),
  CILIUM_NETWORK_POLICIES("cilium.io", "v2", "ciliumnetworkpolicies"),
  CILIUM_CLUSTERWIDE_NETWORK_POLICIES("cilium.io", "v2", "ciliumclusterwidenetworkpolicies");

  private final String group;
  private final String version;
  private final String plural;

  ResourceKind(String group, String version, String plural) {
    this.group = group;
    this.version = version;
    this.plural = plural;
  }

  /** The list path across all namespaces, e.g. {@code /apis/cilium.io/v2/ciliumendpoints}. */
  public String listPath() {
    return group.isEmpty() ? "/api/" + version + "/" + plural : "/apis/" + group + "/" + version + "/" + plural;
  }

  /** {@code plural.group} as kubectl and RBAC name it, e.g. {@code ciliumendpoints.cilium.io}. */
  public String resource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
