package io.meshfed.simcluster.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects authentication and authorization read from a simulated cluster's store: the RBAC
 * objects (as an {@link RbacPolicy} with the {@link BootstrapPolicy}) and the ServiceAccounts'
 * uids (to check bound tokens).
 *
 * <p>Why cached: each store read scans every stored object (tens of thousands in benchmarks), and
 * a request needs both. They are read again only after a request wrote to RBAC objects or to
 * ServiceAccounts ({@link #written(RequestInfo)}). Every write to the store goes through HTTP once
 * the simulated cluster serves (seeding writes neither kind), so nothing is missed.
 */
public final class StoredAuthObjects implements ServiceAccountTokens.ServiceAccountLookup {

  static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  private static final String RBAC = "/apis/" + RBAC_GROUP + "/v1/";
  private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

  private final KubernetesCrudDispatcher store;
  private final WriteInvalidatedCache<RbacPolicy> policy = new WriteInvalidatedCache<>(this::loadPolicy);
  private final WriteInvalidatedCache<Map<String, String>> serviceAccountUids =
      new WriteInvalidatedCache<>(this::loadServiceAccountUids);

  public StoredAuthObjects(KubernetesCrudDispatcher store) {
    this.store = store;
  }

  public RbacPolicy rbacPolicy() {
    return policy.get();
  }

  @Override
  public String uidOf(String namespace, String name) {
    return serviceAccountUids.get().get(namespace + "/" + name);
  }

  /** Called after the store handled a request: forgets what that request may have changed. */
  public void written(RequestInfo request) {
    if (!request.resourceRequest() || !request.isWrite()) {
      return;
    }
    if (RBAC_GROUP.equals(request.apiGroup())) {
      policy.invalidate();
    } else if (request.apiGroup().isEmpty() && "serviceaccounts".equals(request.resource())) {
      serviceAccountUids.invalidate();
    }
  }

  private RbacPolicy loadPolicy() {
    RbacPolicy.Builder builder = RbacPolicy.builder();
    for (ClusterRole role : list(RBAC + "clusterroles", ClusterRole.class)) {
      builder.clusterRole(role.getMetadata().getName(), rules(role.getRules()));
    }
    for (Role role : list(RBAC + "roles", Role.class)) {
      builder.role(role.getMetadata().getNamespace(), role.getMetadata().getName(), rules(role.getRules()));
    }
    for (ClusterRoleBinding binding : list(RBAC + "clusterrolebindings", ClusterRoleBinding.class)) {
      builder.binding(new Binding(binding.getMetadata().getName(), "", binding.getRoleRef().getKind(),
          binding.getRoleRef().getName(), subjects(binding.getSubjects())));
    }
    for (RoleBinding binding : list(RBAC + "rolebindings", RoleBinding.class)) {
      builder.binding(new Binding(binding.getMetadata().getName(), binding.getMetadata().getNamespace(),
          binding.getRoleRef().getKind(), binding.getRoleRef().getName(), subjects(binding.getSubjects())));
    }
    return BootstrapPolicy.addTo(builder).build();
  }

  private Map<String, String> loadServiceAccountUids() {
    Map<String, String> uids = new HashMap<>();
    for (JsonNode account : items("/api/v1/serviceaccounts")) {
      JsonNode metadata = account.path("metadata");
      uids.put(metadata.path("namespace").asText() + "/" + metadata.path("name").asText(),
          metadata.path("uid").asText());
    }
    return uids;
  }

  private static List<PolicyRule> rules(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules) {
    List<PolicyRule> result = new ArrayList<>();
    if (rules != null) {
      for (var rule : rules) {
        result.add(new PolicyRule(rule.getVerbs(), rule.getApiGroups(), rule.getResources(), rule.getResourceNames(),
            rule.getNonResourceURLs()));
      }
    }
    return result;
  }

  private static List<Subject> subjects(List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects) {
    List<Subject> result = new ArrayList<>();
    if (subjects != null) {
      for (var subject : subjects) {
        result.add(new Subject(subject.getKind(), subject.getName(), subject.getNamespace()));
      }
    }
    return result;
  }

  private <T> List<T> list(String path, Class<T> type) {
    List<T> result = new ArrayList<>();
    for (JsonNode item : items(path)) {
      result.add(KUBERNETES_JSON.convertValue(item, type));
    }
    return result;
  }

  /** The items of a list read through the store's own GET handling, which takes its read lock. */
  private List<JsonNode> items(String path) {
    MockResponse response = store.handleGet(path);
    List<JsonNode> items = new ArrayList<>();
    if (response.getBody() == null) {
      return items;
    }
    try {
      JsonBodies.JSON.readTree(response.getBody().readUtf8()).path("items").forEach(items::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " from the simulated cluster's store", e);
    }
    return items;
  }
}
