package io.meshfed.simcluster;

import java.util.regex.Pattern;

/**
 * One simulated cluster asked for on the command line: its Cilium cluster name and ID, and the
 * loopback port its API endpoint listens on (0 = any free port).
 */
record ClusterSpec(String name, int id, int port) {

  /** Cilium's cluster-name rule (pkg/clustermesh/types ValidateClusterName). */
  private static final Pattern NAME = Pattern.compile("^([a-z0-9][-a-z0-9]*)?[a-z0-9]$");
  private static final int MAX_NAME_LENGTH = 32;

  ClusterSpec {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("--cluster name=" + name
          + ": a cluster name has 1 to 32 characters, lower-case letters, digits and '-', starting and ending"
          + " with a letter or digit");
    }
    if ("default".equals(name)) {
      throw new IllegalArgumentException("--cluster name=default: Cilium forbids the name 'default' for a meshed"
          + " cluster");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--cluster " + name + " port=" + port + ": must be 0..65535");
    }
  }

  /** Checks the ID against the mesh-wide limit, which only the whole command line knows. */
  void checkIdWithin(int maxConnectedClusters) {
    if (id < 1 || id > maxConnectedClusters) {
      throw new IllegalArgumentException("--cluster " + name + " id=" + id + ": must be 1.." + maxConnectedClusters
          + " (--max-connected-clusters " + maxConnectedClusters + ")");
    }
  }
}
