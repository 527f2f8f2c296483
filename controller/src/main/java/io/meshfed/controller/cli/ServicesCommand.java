package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshfed services}: the global services of the mesh, merged, with backends per cluster. */
@Command(name = "services", mixinStandardHelpOptions = true, description = "List the mesh's global services with their backends per cluster.")
public final class ServicesCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin AdminOptions admin;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
  OutputFormat output;

  @Override
  public Integer call() {
    try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
      JsonNode r = api.get("/api/v1/services");
      var out = spec.commandLine().getOut();
      if (output != OutputFormat.TABLE) {
        output.print(out, r);
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode s : r.get("services")) {
        List<String> parts = new ArrayList<>();
        for (JsonNode c : s.get("clusters")) {
          parts.add(c.get("cluster").asText() + "(" + c.get("backends").size() + ")");
        }
        rows.add(List.of(s.get("namespace").asText(), s.get("name").asText(), String.join(" ", parts), s.get("backends").asText()));
      }
      OutputFormat.table(out, List.of("NAMESPACE", "NAME", "CLUSTERS (BACKENDS)", "TOTAL BACKENDS"), rows);
      return 0;
    }
  }
}
