package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.RoleRefBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every object join creates in a member, in creation order (deletion runs in reverse): the
 * namespace, the controller's ServiceAccount, each role of {@link MemberRbac} with its binding,
 * and the named Secrets the controller may only get and update.
 */
final class MemberObjects {

  /** {@code kube-system/cilium-clustermesh}, {@code kube-system/cilium-ca}, {@code meshfed-system/meshfed-agent-tls}. */
  static final List<String> SECRETS = List.of(
      MemberRbac.KUBE_SYSTEM + "/" + MemberRbac.CLUSTERMESH_SECRET,
      MemberRbac.KUBE_SYSTEM + "/" + MemberRbac.CA_SECRET,
      MemberRbac.NAMESPACE + "/" + MemberRbac.AGENT_TLS_SECRET);

  private MemberObjects() {
  }

  static List<DesiredObject> desired() {
    return desired(Optional.empty());
  }

  /**
   * With an etcd proxy, also its Role and binding ({@link MemberRbac#etcdProxyRole}) and its two
   * Secrets, empty, last: the controller fills them, and a leave deletes them first.
   */
  static List<DesiredObject> desired(Optional<EtcdProxyName> proxy) {
    List<DesiredObject> objects = new ArrayList<>();
    objects.add(DesiredObject.of(new NamespaceBuilder().withMetadata(metadata(null, MemberRbac.NAMESPACE)).build()));
    objects.add(DesiredObject.of(new ServiceAccountBuilder()
        .withMetadata(metadata(MemberRbac.NAMESPACE, MemberRbac.SERVICE_ACCOUNT)).build()));
    for (RbacRole role : MemberRbac.roles()) {
      objects.add(new DesiredObject(role(role), role, false));
      objects.add(DesiredObject.of(binding(role)));
    }
    objects.add(DesiredObject.of(emptySecret(MemberRbac.KUBE_SYSTEM, MemberRbac.CLUSTERMESH_SECRET)));
    // A real Cilium cluster already has cilium-ca (Cilium's own CA): it is kept, never overwritten.
    objects.add(new DesiredObject(emptySecret(MemberRbac.KUBE_SYSTEM, MemberRbac.CA_SECRET), null, true));
    objects.add(DesiredObject.of(emptySecret(MemberRbac.NAMESPACE, MemberRbac.AGENT_TLS_SECRET)));
    proxy.ifPresent(p -> {
      RbacRole role = MemberRbac.etcdProxyRole(p);
      objects.add(new DesiredObject(role(role), role, false));
      objects.add(DesiredObject.of(binding(role)));
      objects.add(DesiredObject.of(emptySecret(MemberRbac.NAMESPACE, p.upstreamSecret())));
      objects.add(DesiredObject.of(emptySecret(MemberRbac.NAMESPACE, p.serverSecret())));
    });
    return List.copyOf(objects);
  }

  /** The controller's ServiceAccount as an RBAC subject. */
  static Subject controllerSubject() {
    return new SubjectBuilder().withKind("ServiceAccount").withNamespace(MemberRbac.NAMESPACE)
        .withName(MemberRbac.SERVICE_ACCOUNT).build();
  }

  private static HasMetadata role(RbacRole role) {
    if (role.clusterWide()) {
      return new ClusterRoleBuilder().withMetadata(metadata(null, role.name()))
          .withRules(role.rules().stream().map(RbacRule::toPolicyRule).toList()).build();
    }
    return new RoleBuilder().withMetadata(metadata(role.namespace(), role.name()))
        .withRules(role.rules().stream().map(RbacRule::toPolicyRule).toList()).build();
  }

  private static HasMetadata binding(RbacRole role) {
    RoleRef roleRef = new RoleRefBuilder().withApiGroup("rbac.authorization.k8s.io").withKind(role.kind())
        .withName(role.name()).build();
    if (role.clusterWide()) {
      return new ClusterRoleBindingBuilder().withMetadata(metadata(null, role.name()))
          .withRoleRef(roleRef).withSubjects(controllerSubject()).build();
    }
    return new RoleBindingBuilder().withMetadata(metadata(role.namespace(), role.name()))
        .withRoleRef(roleRef).withSubjects(controllerSubject()).build();
  }

  /**
   * Opaque and empty. Not {@code kubernetes.io/tls} even for the agent's certificate: an API
   * server refuses a TLS Secret without {@code tls.crt} and {@code tls.key}, and a Secret's type
   * cannot be changed later; the agent reads the keys from an Opaque Secret just the same.
   */
  private static HasMetadata emptySecret(String namespace, String name) {
    return new SecretBuilder().withMetadata(metadata(namespace, name)).withType("Opaque").withData(Map.of()).build();
  }

  private static ObjectMeta metadata(String namespace, String name) {
    return new ObjectMetaBuilder().withNamespace(namespace).withName(name).withLabels(MeshfedLabels.ALL).build();
  }
}
