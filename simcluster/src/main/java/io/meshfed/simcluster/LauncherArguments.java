package io.meshfed.simcluster;

import io.meshfed.simcluster.auth.UserProfile;
import io.meshfed.simcluster.auth.UserSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The launcher's command line, parsed and checked. Every error names the flag it is about.
 *
 * @param clusters the simulated clusters, in command-line order
 * @param users extra users every simulated cluster gets besides admin, in command-line order
 * @param sizes objects seeded into every simulated cluster
 * @param maxConnectedClusters 255 or 511: bounds cluster IDs and sets the identity bit layout
 * @param outDir where kubeconfig-NAME.yaml and ready.json are written
 * @param crdDir folder with Cilium's own CRD YAML files, or null for minimal built-in CRDs
 * @param stdinControl read control commands from stdin and exit when it closes; false = run until
 *     SIGTERM (for a launcher started in the background of a shell)
 */
record LauncherArguments(List<ClusterSpec> clusters, List<UserSpec> users, SeedSizes sizes, int maxConnectedClusters,
    Path outDir, Path crdDir, boolean stdinControl) {

  static final String USAGE = String.join("\n",
      "usage: SimulatedClustersMain --cluster name=NAME,id=ID[,port=PORT] [--cluster ...] --out DIR",
      "         [--user name=USER,profile=readonly|admin ...]",
      "         [--nodes N] [--identities N] [--endpoints N] [--services N] [--namespaces N]",
      "         [--max-connected-clusters 255|511] [--crd-dir DIR] [--no-stdin]",
      "Starts one simulated cluster (fabric8 KubernetesMockServer, CRUD mode, plain http on 127.0.0.1,",
      "bearer tokens and RBAC) per --cluster, seeds it like a Cilium cluster, writes DIR/kubeconfig-NAME.yaml",
      "(user admin), DIR/kubeconfig-NAME-USER.yaml per --user and, once all are seeded and listening,",
      "DIR/ready.json. Control commands on stdin: stop NAME | start NAME | expire-tokens NAME | status.");

  LauncherArguments {
    clusters = List.copyOf(clusters);
    users = List.copyOf(users);
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("--cluster: at least one simulated cluster is required");
    }
    if (maxConnectedClusters != 255 && maxConnectedClusters != 511) {
      throw new IllegalArgumentException("--max-connected-clusters " + maxConnectedClusters + ": must be 255 or 511");
    }
    if (outDir == null) {
      throw new IllegalArgumentException("--out: required (the folder for kubeconfigs and ready.json)");
    }
    Set<String> names = new HashSet<>();
    Set<Integer> ids = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (ClusterSpec cluster : clusters) {
      cluster.checkIdWithin(maxConnectedClusters);
      if (!names.add(cluster.name())) {
        throw new IllegalArgumentException("--cluster name=" + cluster.name() + ": used twice");
      }
      if (!ids.add(cluster.id())) {
        throw new IllegalArgumentException("--cluster " + cluster.name() + " id=" + cluster.id() + ": used twice");
      }
      if (cluster.port() != 0 && !ports.add(cluster.port())) {
        throw new IllegalArgumentException("--cluster " + cluster.name() + " port=" + cluster.port()
            + ": used twice");
      }
    }
    checkKubeconfigNamesDistinct(clusters, users);
  }

  /**
   * kubeconfig-CLUSTER-USER.yaml can be the name of another file: user b of cluster a and the
   * admin of cluster a-b share kubeconfig-a-b.yaml. Refused rather than overwritten.
   */
  private static void checkKubeconfigNamesDistinct(List<ClusterSpec> clusters, List<UserSpec> users) {
    Set<String> userNames = new HashSet<>();
    for (UserSpec user : users) {
      if (!userNames.add(user.name())) {
        throw new IllegalArgumentException("--user name=" + user.name() + ": used twice");
      }
    }
    Map<String, String> owners = new HashMap<>();
    for (ClusterSpec cluster : clusters) {
      owners.put(ReadyFiles.kubeconfigFileName(cluster.name()), "the admin of " + cluster.name());
    }
    for (ClusterSpec cluster : clusters) {
      for (UserSpec user : users) {
        String file = ReadyFiles.kubeconfigFileName(cluster.name(), user.name());
        String owner = owners.putIfAbsent(file, "user " + user.name() + " of " + cluster.name());
        if (owner != null) {
          throw new IllegalArgumentException("--user name=" + user.name() + ": its kubeconfig for simulated cluster "
              + cluster.name() + " would be " + file + ", the file of " + owner + "; choose another user name");
        }
      }
    }
  }

  static LauncherArguments parse(String... args) {
    List<ClusterSpec> clusters = new ArrayList<>();
    List<UserSpec> users = new ArrayList<>();
    int[] sizes = {SeedSizes.DEFAULT.nodes(), SeedSizes.DEFAULT.identities(), SeedSizes.DEFAULT.endpoints(),
        SeedSizes.DEFAULT.services(), SeedSizes.DEFAULT.namespaces()};
    int[] maxConnected = {255};
    Path[] out = {null};
    Path[] crdDir = {null};
    boolean stdinControl = true;
    Map<String, Consumer<String>> valued = Map.of(
        "--cluster", value -> clusters.add(parseCluster(value)),
        "--user", value -> users.add(parseUser(value)),
        "--out", value -> out[0] = Path.of(value),
        "--crd-dir", value -> crdDir[0] = Path.of(value),
        "--nodes", intFlag("--nodes", v -> sizes[0] = v),
        "--identities", intFlag("--identities", v -> sizes[1] = v),
        "--endpoints", intFlag("--endpoints", v -> sizes[2] = v),
        "--services", intFlag("--services", v -> sizes[3] = v),
        "--namespaces", intFlag("--namespaces", v -> sizes[4] = v),
        "--max-connected-clusters", intFlag("--max-connected-clusters", v -> maxConnected[0] = v));
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String inlineValue = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0 && valued.containsKey(flag.substring(0, eq))) {
        inlineValue = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      if ("--no-stdin".equals(flag)) {
        stdinControl = false;
      } else if (valued.containsKey(flag)) {
        String value = inlineValue;
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(flag + ": a value is required");
          }
          value = args[++i];
        }
        valued.get(flag).accept(value);
      } else {
        throw new IllegalArgumentException(flag + ": unknown argument");
      }
    }
    return new LauncherArguments(clusters, users, new SeedSizes(sizes[0], sizes[1], sizes[2], sizes[3], sizes[4]),
        maxConnected[0], out[0], crdDir[0], stdinControl);
  }

  /** Parses {@code name=c1,id=1[,port=0]}. */
  static ClusterSpec parseCluster(String value) {
    String name = null;
    Integer id = null;
    int port = 0;
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--cluster " + value + ": expected name=NAME,id=ID[,port=PORT]");
      }
      String key = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      switch (key) {
        case "name" -> name = v;
        case "id" -> id = parseInt("--cluster " + value + " id", v);
        case "port" -> port = parseInt("--cluster " + value + " port", v);
        default -> throw new IllegalArgumentException("--cluster " + value + ": unknown key '" + key
            + "' (expected name, id, port)");
      }
    }
    if (name == null || id == null) {
      throw new IllegalArgumentException("--cluster " + value + ": name and id are required");
    }
    return new ClusterSpec(name, id, port);
  }

  /** Parses {@code name=ro,profile=readonly}. */
  static UserSpec parseUser(String value) {
    String name = null;
    UserProfile profile = null;
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--user " + value + ": expected name=USER,profile=readonly|admin");
      }
      String key = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      switch (key) {
        case "name" -> name = v;
        case "profile" -> {
          try {
            profile = UserProfile.parse(v);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--user " + value + " " + e.getMessage(), e);
          }
        }
        default -> throw new IllegalArgumentException("--user " + value + ": unknown key '" + key
            + "' (expected name, profile)");
      }
    }
    return new UserSpec(name, profile);
  }

  private static Consumer<String> intFlag(String flag, IntConsumer target) {
    return value -> target.accept(parseInt(flag, value));
  }

  private static int parseInt(String what, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " " + value + ": not a whole number", e);
    }
  }
}
