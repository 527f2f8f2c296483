package io.meshfed.simcluster;

/**
 * The numeric security identities a simulated cluster allocates from (spec section 3.3): the
 * cluster ID sits in bits 16-23 (bits 15-23 with 511 connected clusters), the low bits number the
 * identity inside the cluster. Local numbers start at 256, Cilium's first allocatable identity, so
 * seeded identities look like those of a real cluster (e.g. 196915 = cluster 3, local 307).
 */
record IdentityRange(int clusterId, int maxConnectedClusters) {

  static final int FIRST_LOCAL_IDENTITY = 256;

  /** Number of low bits left for the cluster-local identity: 16 (255 clusters) or 15 (511). */
  int shift() {
    return maxConnectedClusters == 511 ? 15 : 16;
  }

  /** The first numeric identity this simulated cluster seeds. */
  long first() {
    return ((long) clusterId << shift()) + FIRST_LOCAL_IDENTITY;
  }

  /** The last numeric identity inside this cluster's range. */
  long last() {
    return (((long) clusterId + 1) << shift()) - 1;
  }

  /** How many identities can be seeded: the range minus the local numbers below 256. */
  int capacity() {
    return (int) (last() - first() + 1);
  }

  /** Numeric identity of the k-th seeded identity (k from 0). */
  long numericIdentity(int k) {
    if (k < 0 || k >= capacity()) {
      throw new IllegalArgumentException("--identities: identity #" + k + " does not fit in simulated cluster "
          + clusterId + "'s range " + first() + ".." + last());
    }
    return first() + k;
  }

  /** The cluster ID an identity carries, as a Cilium agent reads it. */
  long clusterIdOf(long identity) {
    return (identity >> shift()) & maxConnectedClusters;
  }
}
