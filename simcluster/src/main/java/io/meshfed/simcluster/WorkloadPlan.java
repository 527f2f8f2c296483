package io.meshfed.simcluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Which application, namespace and identity every seeded endpoint and service belongs to, so that
 * the objects of a simulated cluster agree with each other the way they do in a real one:
 * <ul>
 *   <li>identity k is application {@code app-k} in namespace {@code ns-(k mod namespaces)};</li>
 *   <li>endpoint e runs application {@code k = e mod identities}, as pod {@code app-k-(e div identities)};</li>
 *   <li>global service s is {@code svc-s}, selecting application {@code s mod identities} in that
 *       application's namespace; its backends are exactly that application's endpoints.</li>
 * </ul>
 */
final class WorkloadPlan {

  static final String LOCAL_SERVICE_NAME = "svc-local";

  private final SeedSizes sizes;

  WorkloadPlan(SeedSizes sizes) {
    this.sizes = sizes;
  }

  String namespaceOfIdentity(int identity) {
    return "ns-" + (identity % sizes.namespaces());
  }

  String appOfIdentity(int identity) {
    return "app-" + identity;
  }

  List<String> workloadNamespaces() {
    List<String> namespaces = new ArrayList<>();
    for (int i = 0; i < sizes.namespaces(); i++) {
      namespaces.add("ns-" + i);
    }
    return namespaces;
  }

  int identityOfEndpoint(int endpoint) {
    return endpoint % sizes.identities();
  }

  String podName(int endpoint) {
    return appOfIdentity(identityOfEndpoint(endpoint)) + "-" + endpoint / sizes.identities();
  }

  String serviceName(int service) {
    return "svc-" + service;
  }

  int identityOfService(int service) {
    return service % sizes.identities();
  }

  /** The endpoints running an application, in endpoint order. */
  List<Integer> endpointsOfIdentity(int identity) {
    List<Integer> endpoints = new ArrayList<>();
    for (int e = identity; e < sizes.endpoints(); e += sizes.identities()) {
      endpoints.add(e);
    }
    return endpoints;
  }
}
