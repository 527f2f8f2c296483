package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshfed clusters [NAME]}: the members with id, labels, join time and credential expiry. */
@Command(name = "clusters", mixinStandardHelpOptions = true, description = "List the member clusters.")
public final class ClustersCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin AdminOptions admin;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Show one cluster.")
  String name;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
  OutputFormat output;

  @Override
  public Integer call() {
    try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
      JsonNode r = name == null ? api.get("/api/v1/clusters") : api.get("/api/v1/clusters/" + name);
      var out = spec.commandLine().getOut();
      if (output != OutputFormat.TABLE) {
        output.print(out, r);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode c : name == null ? r.get("clusters") : List.of(r)) {
        List<String> labels = new ArrayList<>();
        c.path("labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
        rows.add(List.of(c.get("name").asText(), c.get("id").asText(), c.get("state").asText(), String.join(",", labels),
            c.path("joinedAt").asText("-"), c.path("credentialExpiry").asText("-"), c.path("certificateExpiry").asText("-")));
      }
      OutputFormat.table(out, List.of("NAME", "ID", "STATE", "LABELS", "JOINED", "CREDENTIALS EXPIRE", "CERTIFICATES EXPIRE"), rows);
      return 0;
    }
  }
}
