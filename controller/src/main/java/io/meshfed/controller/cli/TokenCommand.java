package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshfed token create|list|revoke}: short-lived join tokens. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage join tokens.",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand {

  static MeshfedCommand root(CommandLine.Model.CommandSpec spec) {
    CommandLine c = spec.commandLine();
    while (c.getParent() != null) {
      c = c.getParent();
    }
    return c.getCommand();
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a join token; prints <id>.<secret> and the CA hash.")
  static final class Create implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = "--ttl", defaultValue = "15m", paramLabel = "DURATION", description = "Lifetime (1m-24h, default 15m).")
    String ttl;

    @Option(names = "--uses", defaultValue = "1", paramLabel = "N", description = "How many joins it allows (default 1).")
    int uses;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Only a cluster of this name may join with it.")
    String clusterName;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ttl", ttl);
      body.put("uses", uses);
      if (clusterName != null) {
        body.put("clusterName", clusterName);
      }
      if (description != null) {
        body.put("description", description);
      }
      try (ApiClient api = admin.connect(root(spec))) {
        JsonNode r = api.post("/api/v1/tokens", body, null);
        var out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return 0;
        }
        out.println("token:    " + r.get("token").asText());
        out.println("ca hash:  " + r.get("caHash").asText());
        out.println("expires:  " + r.get("expiresAt").asText() + " (uses: " + r.get("uses").asInt() + ")");
        out.println("join with: meshfed join --controller <url> --token " + r.get("token").asText() + " --ca-hash " + r.get("caHash").asText()
            + " --kubeconfig <file> --cluster-name <name> --cluster-id <id>");
        out.flush();
        return 0;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List join tokens (never their secrets).")
  static final class ListTokens implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      try (ApiClient api = admin.connect(root(spec))) {
        JsonNode r = api.get("/api/v1/tokens");
        var out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode t : r.get("tokens")) {
          rows.add(List.of(t.get("id").asText(), t.get("usesLeft").asText(), t.get("expiresAt").asText(),
              t.path("clusterName").asText("-"), t.path("description").asText("")));
        }
        OutputFormat.table(out, List.of("ID", "USES LEFT", "EXPIRES", "CLUSTER", "DESCRIPTION"), rows);
        return 0;
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a join token now.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      if (!id.matches("[a-z0-9]{6}")) {
        throw CliException.usage("ID must be the 6-character token id (the part before the dot)");
      }
      try (ApiClient api = admin.connect(root(spec))) {
        api.delete("/api/v1/tokens/" + id);
        spec.commandLine().getOut().println("revoked token " + id);
        spec.commandLine().getOut().flush();
        return 0;
      }
    }
  }
}
