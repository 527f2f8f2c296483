package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.controller.http.ApiServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshfed status}: the whole mesh's health in one answer. Exit 0 only when the mesh is
 * Healthy, 1 otherwise (and when the controller cannot be asked), 2 for bad flags; with
 * {@code --wait} it asks again until Healthy or the timeout, like {@code cilium clustermesh status
 * --wait}, but for every member at once.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the mesh's health; exit 0 only when every member is Healthy.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the mesh is Healthy", "1:Degraded or Unhealthy (after --timeout with --wait), or the controller did not answer", "2:invalid flags"})
public final class StatusCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofSeconds(2);

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin AdminOptions admin;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT",
      description = "table, json or yaml")
  OutputFormat output;

  @Option(names = "--wait", description = "Ask again until the mesh is Healthy or --timeout passes.")
  boolean await;

  @Option(names = "--timeout", defaultValue = "5m", paramLabel = "DURATION", description = "How long --wait waits (e.g. 90s, 5m); default ${DEFAULT-VALUE}.")
  String timeout;

  @Override
  public Integer call() throws InterruptedException {
    Duration limit;
    try {
      limit = ApiServer.DurationParser.parse("--timeout", timeout);
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: \"" + timeout + "\" is not a duration like 90s, 5m or 1h30m");
    }
    PrintWriter err = spec.commandLine().getErr();
    long deadline = System.nanoTime() + limit.toNanos();
    try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
      JsonNode health = api.get("/api/v1/health");
      while (await && !healthy(health) && System.nanoTime() < deadline) {
        err.printf(Locale.ROOT, "waiting for a Healthy mesh: %s, %d reason(s); first: %s%n", health.path("status").asText(),
            health.path("reasons").size(), health.path("reasons").path(0).asText("-"));
        err.flush();
        Thread.sleep(POLL.toMillis());
        health = api.get("/api/v1/health");
      }
      print(health);
      if (await && !healthy(health)) {
        err.printf(Locale.ROOT, "the mesh is still %s after %s%n", health.path("status").asText(), timeout);
      }
      return healthy(health) ? 0 : 1;
    }
  }

  private static boolean healthy(JsonNode health) {
    return "Healthy".equals(health.path("status").asText());
  }

  private void print(JsonNode health) {
    PrintWriter out = spec.commandLine().getOut();
    if (output != OutputFormat.TABLE) {
      output.print(out, health);
      return;
    }
    out.printf(Locale.ROOT, "mesh: %s (%d members, checked %s)%n", health.path("status").asText(), health.path("members").asInt(),
        health.path("checkedAt").asText());
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode c : health.path("clusters")) {
      List<String> row = new ArrayList<>();
      row.add(c.path("cluster").asText());
      row.add(c.path("status").asText());
      for (String type : List.of("AgentConnected", "CiliumReady", "IdentitiesSynced", "EndpointsSynced", "NodesSynced", "ServicesSynced",
          "PoliciesInSync", "CertificatesValid")) {
        row.add(condition(c, type));
      }
      row.add(c.path("reportAgeSeconds").isNumber() ? c.path("reportAgeSeconds").asText() + "s" : "-");
      rows.add(row);
    }
    OutputFormat.table(out, List.of("CLUSTER", "STATUS", "AGENT", "CILIUM", "IDENTITIES", "ENDPOINTS", "NODES", "SERVICES", "POLICIES",
        "CERTS", "REPORT"), rows);
    if (health.path("reasons").size() > 0) {
      out.println();
      out.println("reasons:");
      health.path("reasons").forEach(r -> out.println("  " + r.asText()));
    }
    out.flush();
  }

  private static String condition(JsonNode cluster, String type) {
    for (JsonNode c : cluster.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        String s = c.path("status").asText();
        return "True".equals(s) ? (c.path("warning").asBoolean() ? "warn" : "ok") : s + ":" + c.path("reason").asText();
      }
    }
    return "-";
  }
}
