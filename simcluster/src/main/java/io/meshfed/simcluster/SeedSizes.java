package io.meshfed.simcluster;

/**
 * How many objects of each kind every simulated cluster is seeded with.
 *
 * @param nodes Nodes, each with a matching CiliumNode
 * @param identities CiliumIdentities, one per application (app-0, app-1, ...)
 * @param endpoints CiliumEndpoints, spread round-robin over identities and nodes
 * @param services global Services, each with its EndpointSlices (one extra non-global Service is
 *     always added)
 * @param namespaces workload namespaces ns-0 .. ns-(n-1) the identities are spread over
 */
record SeedSizes(int nodes, int identities, int endpoints, int services, int namespaces) {

  static final int MAX_SERVICES = 65000;
  static final SeedSizes DEFAULT = new SeedSizes(3, 10, 20, 3, 2);

  SeedSizes {
    requireAtLeast("--nodes", nodes, 1);
    requireAtLeast("--identities", identities, 0);
    requireAtLeast("--endpoints", endpoints, 0);
    requireAtLeast("--services", services, 0);
    requireAtLeast("--namespaces", namespaces, 1);
    if (services > MAX_SERVICES) {
      throw new IllegalArgumentException("--services " + services + ": at most " + MAX_SERVICES
          + " (one ClusterIP each in 192.168.0.0/16)");
    }
    if (identities == 0 && (endpoints > 0 || services > 0)) {
      throw new IllegalArgumentException("--identities 0: endpoints and services need at least one identity"
          + " (their application) to belong to");
    }
  }

  private static void requireAtLeast(String flag, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(flag + " " + value + ": must be at least " + min);
    }
  }
}
