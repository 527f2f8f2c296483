package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the kubeconfig used for join must be allowed to do, derived from {@link MemberObjects} and
 * {@link MemberRbac} so it cannot drift from what join actually does.
 *
 * <ul>
 *   <li>get, create, update and delete every kind join manages, where it manages it (delete:
 *   a failed join removes what it created);</li>
 *   <li>create a token for the controller's ServiceAccount (TokenRequest);</li>
 *   <li>get {@code kube-system/cilium-config} (the inspection);</li>
 *   <li>hold every right the Roles grant: Kubernetes refuses to create a Role or binding that grants
 *   more than its creator holds (RBAC escalation prevention), unless the creator has the
 *   {@code escalate} and {@code bind} verbs, which are rarer than the rights themselves.</li>
 * </ul>
 */
final class ProvisioningAccess {

  private static final List<String> MANAGE = List.of("get", "create", "update", "delete");

  private ProvisioningAccess() {
  }

  static List<ResourceAccess> required() {
    return required(Optional.empty());
  }

  /** With an etcd proxy: its objects, and the rights of its Role. */
  static List<ResourceAccess> required(Optional<EtcdProxyName> proxy) {
    Set<ResourceAccess> accesses = new LinkedHashSet<>();
    for (DesiredObject desired : MemberObjects.desired(proxy)) {
      HasMetadata object = desired.object();
      String group = HasMetadata.getGroup(object.getClass());
      String plural = HasMetadata.getPlural(object.getClass());
      for (String verb : MANAGE) {
        accesses.add(ResourceAccess.of(verb, group, plural, desired.namespace(), null));
      }
    }
    accesses.add(ResourceAccess.of("create", "", "serviceaccounts/token", MemberRbac.NAMESPACE,
        MemberRbac.SERVICE_ACCOUNT));
    accesses.add(ResourceAccess.of("get", "", "configmaps", MemberRbac.KUBE_SYSTEM, MemberRbac.CILIUM_CONFIG));
    List<ResourceAccess> granted = new ArrayList<>(MemberRbac.accesses());
    proxy.ifPresent(p -> granted.addAll(MemberRbac.etcdProxyRole(p).accesses()));
    for (ResourceAccess access : granted) {
      // Holding it for any name implies holding it for one name: ask only once.
      if (!accesses.contains(access.anyName())) {
        accesses.add(access);
      }
    }
    return List.copyOf(new ArrayList<>(accesses));
  }
}
