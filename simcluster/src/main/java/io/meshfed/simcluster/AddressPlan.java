package io.meshfed.simcluster;

/**
 * Where every address of a simulated cluster comes from. Pod ranges never overlap between
 * simulated clusters, because the cluster ID picks the range, the same way it picks the identity
 * range:
 * <ul>
 *   <li>pod range of the simulated cluster: 10.0.0.0/8 split by cluster ID, {@code 10.<id>.0.0/16}
 *       with 255 connected clusters, a /17 at {@code 10.0.0.0 + id<<15} with 511;</li>
 *   <li>pod CIDR of node n: the n-th block of that range. A block is a /24 unless more endpoints
 *       per node are asked for, then the smallest larger power of two ({@code 10.<id>.<n>.0/24} for
 *       small simulated clusters);</li>
 *   <li>in each node block: .1 is the CiliumInternalIP (router), .2 the health IP, endpoints from
 *       offset 16 on, endpoint e on node e mod nodes at slot e div nodes;</li>
 *   <li>node InternalIP: {@code 172.16.0.0 + id*2048 + 10 + n} (unique across simulated
 *       clusters, like real nodes);</li>
 *   <li>service ClusterIPs: {@code 192.168.0.10 + s}, the same service CIDR in every simulated
 *       cluster, as real clusters usually have (a global service's frontends are local).</li>
 * </ul>
 */
final class AddressPlan {

  static final long POD_SPACE = Ipv4.parse("10.0.0.0");
  static final long NODE_SPACE = Ipv4.parse("172.16.0.0");
  static final int NODE_BLOCK_PER_CLUSTER = 2048;
  static final int FIRST_NODE_HOST = 10;
  static final long SERVICE_SPACE = Ipv4.parse("192.168.0.0");
  static final int FIRST_SERVICE_HOST = 10;
  static final int ROUTER_OFFSET = 1;
  static final int HEALTH_OFFSET = 2;
  static final int FIRST_ENDPOINT_OFFSET = 16;
  private static final int MIN_NODE_BLOCK = 256;

  private final int clusterId;
  private final int nodes;
  private final int clusterPrefixLength;
  private final long clusterPodBase;
  private final long nodeBlockSize;

  AddressPlan(int clusterId, int maxConnectedClusters, int nodes, int endpoints) {
    this.clusterId = clusterId;
    this.nodes = nodes;
    int clusterIdBits = maxConnectedClusters == 511 ? 9 : 8;
    this.clusterPrefixLength = 8 + clusterIdBits;
    long clusterRangeSize = 1L << (32 - clusterPrefixLength);
    this.clusterPodBase = POD_SPACE + (long) clusterId * clusterRangeSize;
    long endpointsPerNode = (endpoints + (long) nodes - 1) / nodes;
    // Room for the reserved low addresses and the broadcast address.
    this.nodeBlockSize = Math.max(MIN_NODE_BLOCK, Long.highestOneBit(endpointsPerNode + FIRST_ENDPOINT_OFFSET) << 1);
    if (nodeBlockSize * nodes > clusterRangeSize) {
      throw new IllegalArgumentException("--nodes " + nodes + " --endpoints " + endpoints + ": " + nodes
          + " node pod CIDRs of /" + nodePrefixLength() + " do not fit in simulated cluster " + clusterId
          + "'s pod range " + clusterPodRange());
    }
    if (nodes > NODE_BLOCK_PER_CLUSTER - FIRST_NODE_HOST) {
      throw new IllegalArgumentException("--nodes " + nodes + ": at most "
          + (NODE_BLOCK_PER_CLUSTER - FIRST_NODE_HOST) + " nodes per simulated cluster");
    }
  }

  /** The simulated cluster's whole pod range, e.g. 10.3.0.0/16. */
  String clusterPodRange() {
    return Ipv4.cidr(clusterPodBase, clusterPrefixLength);
  }

  int nodePrefixLength() {
    return 32 - Long.numberOfTrailingZeros(nodeBlockSize);
  }

  String nodePodCidr(int node) {
    return Ipv4.cidr(nodeBase(node), nodePrefixLength());
  }

  String nodeInternalIp(int node) {
    return Ipv4.format(NODE_SPACE + (long) clusterId * NODE_BLOCK_PER_CLUSTER + FIRST_NODE_HOST + node);
  }

  String routerIp(int node) {
    return Ipv4.format(nodeBase(node) + ROUTER_OFFSET);
  }

  String healthIp(int node) {
    return Ipv4.format(nodeBase(node) + HEALTH_OFFSET);
  }

  /** The node endpoint e runs on: round-robin, so every node gets a share. */
  int nodeOfEndpoint(int endpoint) {
    return endpoint % nodes;
  }

  String endpointIp(int endpoint) {
    return Ipv4.format(nodeBase(nodeOfEndpoint(endpoint)) + FIRST_ENDPOINT_OFFSET + endpoint / nodes);
  }

  String serviceIp(int service) {
    if (service + FIRST_SERVICE_HOST >= 65535) {
      throw new IllegalArgumentException("--services: at most " + (65535 - FIRST_SERVICE_HOST) + " services");
    }
    return Ipv4.format(SERVICE_SPACE + FIRST_SERVICE_HOST + service);
  }

  private long nodeBase(int node) {
    return clusterPodBase + node * nodeBlockSize;
  }
}
