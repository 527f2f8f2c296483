package io.meshfed.simcluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The launcher's stdin protocol, one command a line, one reply a line on stdout:
 * <pre>
 *   stop NAME    -> "ok stop NAME"            the simulated cluster's port is closed, data kept
 *   start NAME   -> "ok start NAME PORT"      serving again on the same port with the same data
 *   expire-tokens NAME -> "ok expire-tokens NAME COUNT"  every ServiceAccount token issued by NAME
 *                                              expires now; COUNT were still live
 *   status       -> "ok status NAME=up|down ..."
 *   anything bad -> "error MESSAGE"
 * </pre>
 * Closing stdin stops every simulated cluster and ends the launcher.
 */
final class ControlCommands {

  private final Map<String, SimulatedCluster> clusters = new LinkedHashMap<>();

  ControlCommands(List<SimulatedCluster> clusters) {
    clusters.forEach(cluster -> this.clusters.put(cluster.name(), cluster));
  }

  /** Runs one command line and returns its reply line; null for a blank line (no reply). */
  String execute(String line) {
    String[] words = line.trim().split("\\s+");
    if (words[0].isEmpty()) {
      return null;
    }
    try {
      return switch (words[0]) {
        case "stop" -> {
          SimulatedCluster cluster = named(words);
          cluster.stop();
          yield "ok stop " + cluster.name();
        }
        case "start" -> {
          SimulatedCluster cluster = named(words);
          cluster.start();
          yield "ok start " + cluster.name() + " " + cluster.port();
        }
        case "expire-tokens" -> {
          SimulatedCluster cluster = named(words);
          yield "ok expire-tokens " + cluster.name() + " " + cluster.auth().expireServiceAccountTokens();
        }
        case "status" -> "ok status " + clusters.values().stream()
            .map(cluster -> cluster.name() + "=" + (cluster.isRunning() ? "up" : "down"))
            .collect(Collectors.joining(" "));
        default -> "error unknown command '" + words[0] + "' (expected stop NAME, start NAME,"
            + " expire-tokens NAME or status)";
      };
    } catch (RuntimeException e) {
      return "error " + words[0] + ": " + e.getMessage();
    }
  }

  private SimulatedCluster named(String[] words) {
    if (words.length != 2) {
      throw new IllegalArgumentException("expected exactly one simulated cluster name");
    }
    SimulatedCluster cluster = clusters.get(words[1]);
    if (cluster == null) {
      throw new IllegalArgumentException("unknown simulated cluster '" + words[1] + "' (known: "
          + String.join(", ", clusters.keySet()) + ")");
    }
    return cluster;
  }
}
