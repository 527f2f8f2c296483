package io.meshfed.controller.member;

import io.meshfed.controller.clustermesh.EtcdProxyName;
import java.util.ArrayList;
import java.util.List;

/**
 * The least-privilege rights the controller's ServiceAccount gets in a member, as data: the one
 * source of truth that {@link MemberProvisioner} creates the Roles from, that the permission
 * pre-flight derives its checks from, and that docs/member-rbac.md is tested against.
 *
 * <p>Kubernetes RBAC cannot restrict {@code create} by resource name (the name is not known when
 * the request is authorized), so there is no {@code create secrets} here: join, which runs with the
 * user's admin kubeconfig, creates the named Secrets empty, and the controller only gets and
 * updates them, by name.
 */
public final class MemberRbac {

  /** The namespace meshfed creates in every member. */
  public static final String NAMESPACE = "meshfed-system";
  /** The controller's ServiceAccount in {@link #NAMESPACE}. */
  public static final String SERVICE_ACCOUNT = "meshfed-controller";
  /** The name of the ClusterRole, of both Roles, and of the three bindings. */
  public static final String ROLE_NAME = "meshfed-member";
  public static final String KUBE_SYSTEM = "kube-system";
  /** Cilium's settings; the source of cluster-name, cluster-id and max-connected-clusters. */
  public static final String CILIUM_CONFIG = "cilium-config";
  /** The remote-cluster configuration the Cilium agents read (one key per remote cluster). */
  public static final String CLUSTERMESH_SECRET = "cilium-clustermesh";
  /** Cilium's CA; a real Cilium cluster already has one, which is never overwritten by join. */
  public static final String CA_SECRET = "cilium-ca";
  /** The meshfed agent's client certificate. */
  public static final String AGENT_TLS_SECRET = "meshfed-agent-tls";

  private static final List<String> READ = List.of("get", "list", "watch");
  private static final List<String> READ_WRITE = List.of("get", "list", "watch", "create", "update", "patch", "delete");

  /** Cluster-wide reads of what the mesh mirrors, and the policies the controller pushes. */
  public static final RbacRole CLUSTER_ROLE = new RbacRole(null, ROLE_NAME, List.of(
      new RbacRule(List.of(""), List.of("services", "nodes"), List.of(), READ,
          "mirror global Services and Nodes into the mesh's etcd (cilium/cache/services, cilium/cache/nodes)"),
      new RbacRule(List.of("discovery.k8s.io"), List.of("endpointslices"), List.of(), READ,
          "the backends of global Services"),
      new RbacRule(List.of("cilium.io"), List.of("ciliumidentities", "ciliumendpoints", "ciliumnodes"), List.of(),
          READ, "mirror identities, endpoints and nodes into the KVStoreMesh cache layout the agents read"),
      new RbacRule(List.of("cilium.io"), List.of("ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"),
          List.of(), READ_WRITE,
          "push mesh policies, watch them for drift, revert drift and prune deleted ones")));

  /** Named objects in kube-system: Cilium's settings and the two Secrets the controller writes. */
  public static final RbacRole KUBE_SYSTEM_ROLE = new RbacRole(KUBE_SYSTEM, ROLE_NAME, List.of(
      new RbacRule(List.of("apps"), List.of("daemonsets"), List.of(), READ,
          "health: the rollout state of the cilium DaemonSet (agents ready on every node)"),
      new RbacRule(List.of(""), List.of("configmaps"), List.of(CILIUM_CONFIG), List.of("get"),
          "re-check cluster-name, cluster-id and max-connected-clusters after join (a changed one breaks the mesh)"),
      new RbacRule(List.of(""), List.of("secrets"), List.of(CLUSTERMESH_SECRET, CA_SECRET), List.of("get", "update"),
          "cilium-clustermesh: one config per remote cluster, pointing the agents at the mesh etcd;"
              + " cilium-ca: the mesh CA the agents trust")));

  /** Named objects in meshfed-system: the agent's certificate and the controller's own token. */
  public static final RbacRole MESHFED_SYSTEM_ROLE = new RbacRole(NAMESPACE, ROLE_NAME, List.of(
      new RbacRule(List.of(""), List.of("secrets"), List.of(AGENT_TLS_SECRET), List.of("get", "update"),
          "write and renew the agent's client certificate"),
      new RbacRule(List.of(""), List.of("serviceaccounts/token"), List.of(SERVICE_ACCOUNT), List.of("create"),
          "renew its own short-lived token (TokenRequest) before it expires, without the admin kubeconfig")));

  /** The Role (and binding) of a member joined with an etcd proxy: only the proxy's two Secrets. */
  public static final String ETCD_PROXY_ROLE_NAME = "meshfed-member-etcd-proxy";

  private MemberRbac() {
  }

  /**
   * The extra Role a member joined with {@code --etcd-proxy} gets in meshfed-system: get and update
   * of exactly the proxy's two Secrets, which the controller fills with the proxy's certificates.
   * Its own Role, so members without a proxy have exactly the rights of {@link #roles()}.
   */
  public static RbacRole etcdProxyRole(EtcdProxyName proxy) {
    return new RbacRole(NAMESPACE, ETCD_PROXY_ROLE_NAME, List.of(
        new RbacRule(List.of(""), List.of("secrets"), List.of(proxy.upstreamSecret(), proxy.serverSecret()), List.of("get", "update"),
            "write the etcd proxy's upstream (CN-less) client certificate and its serving certificate")));
  }

  /** The three roles, in the order they are created. */
  public static List<RbacRole> roles() {
    return List.of(CLUSTER_ROLE, KUBE_SYSTEM_ROLE, MESHFED_SYSTEM_ROLE);
  }

  /** Every single access the controller's ServiceAccount gets, role by role, rule by rule. */
  public static List<ResourceAccess> accesses() {
    List<ResourceAccess> accesses = new ArrayList<>();
    roles().forEach(role -> accesses.addAll(role.accesses()));
    return accesses;
  }

  /**
   * The rules as the Markdown table in docs/member-rbac.md (a test keeps the two equal):
   * one line per rule, in order.
   */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder()
        .append("| role | scope | API group | resources | resource names | verbs | why |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (RbacRole role : roles()) {
      for (RbacRule rule : role.rules()) {
        table.append("| ").append(role.kind()).append(' ').append(role.name())
            .append(" | ").append(role.clusterWide() ? "cluster-wide" : role.namespace())
            .append(" | ").append(String.join(", ", rule.apiGroups().stream().map(g -> g.isEmpty() ? "core" : g).toList()))
            .append(" | ").append(code(rule.resources()))
            .append(" | ").append(rule.resourceNames().isEmpty() ? "any" : code(rule.resourceNames()))
            .append(" | ").append(String.join(", ", rule.verbs()))
            .append(" | ").append(rule.why())
            .append(" |\n");
      }
    }
    return table.toString();
  }

  private static String code(List<String> values) {
    return String.join(", ", values.stream().map(value -> "`" + value + "`").toList());
  }
}
