package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meshfed.controller.policy.ValidationGate;
import io.meshfed.controller.policy.validation.PolicyReadException;
import io.meshfed.controller.policy.validation.PolicySource;
import io.vertx.core.http.HttpMethod;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshfed policy apply|diff|get|list|delete|status|events|baseline}: mesh-wide Cilium
 * policies. Files and directories (recursively) are read here, with their origins, and sent in one
 * request: the controller validates every document first and stores nothing when one is invalid
 * (exit 1, each finding printed with its origin).
 */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Manage mesh-wide Cilium network policies.",
    subcommands = {PolicyCommand.Apply.class, PolicyCommand.Diff.class, PolicyCommand.Get.class, PolicyCommand.ListPolicies.class,
        PolicyCommand.Delete.class, PolicyCommand.Status.class, PolicyCommand.Events.class, PolicyCommand.BaselineCommand.class})
public final class PolicyCommand {
  /** The request body type of documents read by the CLI (see the controller's PolicyRoutes). */
  static final String DOCUMENTS = "application/vnd.meshfed.policy-documents+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Strings that look like numbers stay quoted, so printed policies apply again as they are. */
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  private PolicyCommand() {}

  /** How a policy is named on the command line. */
  static final class Ref {
    @Parameters(index = "0", paramLabel = "NAME", description = "NAME, NAMESPACE/NAME or KIND/NAMESPACE/NAME (cnp/production/allow-dns).")
    String name;

    @Option(names = "--kind", paramLabel = "KIND", description = "cnp or ccnp, when NAME alone is ambiguous.")
    String kind;

    String path(String suffix) {
      return "/api/v1/policies/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + suffix
          + (kind == null ? "" : "?kind=" + URLEncoder.encode(kind, StandardCharsets.UTF_8));
    }
  }

  /** What {@code apply} and {@code diff} share: read the documents, send them, print the answer. */
  abstract static class DocumentsCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH", description = "A file or directory (read recursively); repeatable.")
    List<Path> files;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    /** The API path the documents go to. */
    abstract String path();

    /** The answer as a table. */
    abstract void table(PrintWriter out, JsonNode r);

    @Override
    public Integer call() {
      byte[] body = documents(files);
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r = send(spec, api, path(), body);
        if (r == null) {
          return Main.FAILURE;
        }
        PrintWriter out = spec.commandLine().getOut();
        warnings(spec, r);
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return Main.OK;
        }
        table(out, r);
        out.flush();
        return Main.OK;
      }
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Validate and store policies (files or directories, multi-document YAML); members converge in the background.")
  static final class Apply extends DocumentsCommand {
    @Override
    String path() {
      return "/api/v1/policies";
    }

    @Override
    void table(PrintWriter out, JsonNode r) {
      for (JsonNode d : r.path("documents")) {
        int n = d.path("clusters").size();
        out.println("applied " + d.path("policy").asText() + " generation " + d.path("generation").asLong() + " (" + n + " cluster"
            + (n == 1 ? "" : "s") + ", " + d.path("action").asText() + ")");
      }
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Show, per member cluster, what applying these policies would create, change or remove. Stores nothing.")
  static final class Diff extends DocumentsCommand {
    @Override
    String path() {
      return "/api/v1/policies?dryRun=true";
    }

    @Override
    void table(PrintWriter out, JsonNode r) {
      for (JsonNode d : r.path("documents")) {
        long from = d.path("generation").asLong();
        long to = d.path("nextGeneration").asLong();
        String gen = from == 0 ? "new, generation 1" : from == to ? "generation " + from + ", unchanged" : "generation " + from + " -> " + to;
        out.println(d.path("policy").asText() + " (" + d.path("kind").asText() + ", " + gen + ")");
        if (d.path("clusters").isEmpty()) {
          out.println("  (placed in no member cluster)");
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : d.path("clusters")) {
          List<String> fields = new ArrayList<>();
          c.path("fields").forEach(f -> fields.add(f.asText()));
          rows.add(List.of("  " + c.path("cluster").asText(), c.path("change").asText(), String.join(", ", fields)));
        }
        if (!rows.isEmpty()) {
          rowsOnly(out, rows);
        }
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a mesh policy as members hold it (YAML by default).")
  static final class Get implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin Ref ref;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() throws Exception {
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r = api.get(ref.path(""));
        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.TABLE) {
          OutputFormat.table(out, LIST_HEADER, List.of(listRow(r)));
          return Main.OK;
        }
        if (output == OutputFormat.YAML) {
          out.print(YAML.writeValueAsString(r.path("object")));
          out.flush();
          return Main.OK;
        }
        output.print(out, r.path("object"));
        return Main.OK;
      }
    }
  }

  private static final List<String> LIST_HEADER = List.of("KIND", "POLICY", "GENERATION", "PLACEMENT", "CLUSTERS", "UPDATED");

  private static List<String> listRow(JsonNode p) {
    List<String> clusters = new ArrayList<>();
    p.path("clusters").forEach(c -> clusters.add(c.asText()));
    return List.of(p.path("kind").asText(), p.path("policy").asText(), p.path("generation").asText(), p.path("placement").asText(),
        clusters.isEmpty() ? "-" : String.join(",", clusters), p.path("updatedAt").asText("-"));
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the mesh policies.")
  static final class ListPolicies implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r = api.get("/api/v1/policies");
        PrintWriter out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return Main.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        r.path("policies").forEach(p -> rows.add(listRow(p)));
        OutputFormat.table(out, LIST_HEADER, rows);
        return Main.OK;
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a mesh policy; it is pruned from every member.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin Ref ref;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r = api.delete(ref.path(""));
        PrintWriter out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return Main.OK;
        }
        List<String> from = new ArrayList<>();
        r.path("pruneFrom").forEach(c -> from.add(c.asText()));
        out.println("deleted " + r.path("policy").asText() + " (" + r.path("kind").asText() + ", generation " + r.path("generation").asLong()
            + "); pruning from " + (from.isEmpty() ? "no member" : String.join(", ", from)));
        out.flush();
        return Main.OK;
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Per policy and member: state (InSync, Pending, Drifted, Failed) with the reason, generations, last applied.")
  static final class Status implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "One policy (NAME, NAMESPACE/NAME or KIND/NAMESPACE/NAME).")
    String name;

    @Option(names = "--kind", paramLabel = "KIND", description = "cnp or ccnp, when NAME alone is ambiguous.")
    String kind;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r;
        List<JsonNode> views = new ArrayList<>();
        if (name == null) {
          r = api.get("/api/v1/policy-status");
          r.path("policies").forEach(views::add);
        } else {
          Ref ref = new Ref();
          ref.name = name;
          ref.kind = kind;
          r = api.get(ref.path("/status"));
          views.add(r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return Main.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : views) {
          String policy = v.path("policy").asText() + (v.path("deleted").asBoolean() ? " (deleted)" : "");
          if (v.path("clusters").isEmpty()) {
            rows.add(List.of(policy, "-", "-", "-", "-", "-", "placed in no member cluster"));
          }
          for (JsonNode c : v.path("clusters")) {
            rows.add(List.of(policy, c.path("cluster").asText(), c.path("state").asText(), c.path("appliedGeneration").asText(),
                c.path("desiredGeneration").asText(), c.path("lastAppliedAt").asText("-"), c.path("reason").asText("")));
          }
        }
        OutputFormat.table(out, List.of("POLICY", "CLUSTER", "STATE", "APPLIED", "DESIRED", "LAST APPLIED", "REASON"), rows);
        return Main.OK;
      }
    }
  }

  @Command(name = "events", mixinStandardHelpOptions = true, description = "Drift found in members and what meshfed did (newest first).")
  static final class Events implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin AdminOptions admin;
    @Mixin Ref ref;

    @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() {
      try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
        JsonNode r = api.get(ref.path("/events"));
        PrintWriter out = spec.commandLine().getOut();
        if (output != OutputFormat.TABLE) {
          output.print(out, r);
          return Main.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : r.path("events")) {
          List<String> fields = new ArrayList<>();
          e.path("fields").forEach(f -> fields.add(f.asText()));
          List<String> who = new ArrayList<>();
          e.path("who").forEach(w -> who.add(w.asText()));
          rows.add(List.of(e.path("time").asText(), e.path("cluster").asText(), e.path("change").asText(),
              fields.isEmpty() ? "-" : String.join(", ", fields), who.isEmpty() ? "-" : String.join(", ", who), e.path("action").asText()));
        }
        OutputFormat.table(out, List.of("TIME", "CLUSTER", "CHANGE", "FIELDS", "WHO", "ACTION"), rows);
        return Main.OK;
      }
    }
  }

  @Command(name = "baseline", mixinStandardHelpOptions = true,
      description = "Print the baseline policies for a namespace (YAML), to review and apply. Needs no controller.")
  static final class BaselineCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--namespace", required = true, paramLabel = "NS", description = "The namespace the policies are for.")
    String namespace;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
    OutputFormat output;

    @Override
    public Integer call() throws Exception {
      Object baseline = ValidationGate.baseline(namespace);
      PrintWriter out = spec.commandLine().getOut();
      if (baseline instanceof CharSequence text) {
        out.print(text);
        out.flush();
        return Main.OK;
      }
      JsonNode tree = JSON.valueToTree(baseline);
      if (output == OutputFormat.JSON) {
        output.print(out, tree);
        return Main.OK;
      }
      if (output == OutputFormat.TABLE) {
        throw CliException.usage("policy baseline prints yaml or json");
      }
      List<JsonNode> docs = new ArrayList<>();
      if (tree.isArray()) {
        tree.forEach(docs::add);
      } else {
        docs.add(tree);
      }
      for (int i = 0; i < docs.size(); i++) {
        if (i > 0) {
          out.println("---");
        }
        out.print(YAML.writeValueAsString(docs.get(i)));
      }
      out.flush();
      return Main.OK;
    }
  }

  // ---- shared --------------------------------------------------------------------------------

  /** Reads every -f into {"documents":[{origin, document}]}; unreadable input is exit 1 with its place. */
  static byte[] documents(List<Path> paths) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode docs = body.putArray("documents");
    for (Path p : paths) {
      List<PolicySource> sources;
      try {
        sources = ValidationGate.read(p);
      } catch (PolicyReadException e) {
        throw CliException.failure(e.getMessage());
      }
      for (PolicySource s : sources) {
        docs.addObject().put("origin", s.origin()).set("document", s.document());
      }
    }
    if (docs.isEmpty()) {
      throw CliException.failure("no policy documents in " + paths);
    }
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs documents; a refusal prints every finding with its origin and returns null (exit 1). */
  static JsonNode send(CommandLine.Model.CommandSpec spec, ApiClient api, String path, byte[] body) {
    try {
      return api.call(HttpMethod.POST, path, body, DOCUMENTS, null);
    } catch (ApiClientException e) {
      JsonNode b = e.body();
      if (e.status() != 422 || b == null || !b.has("findings")) {
        throw e;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + b.path("message").asText());
      for (JsonNode f : b.path("findings")) {
        err.println("  " + f.path("origin").asText() + ": " + f.path("message").asText());
      }
      for (JsonNode w : b.path("warnings")) {
        err.println("  warning: " + w.path("origin").asText() + ": " + w.path("message").asText());
      }
      err.flush();
      return null;
    }
  }

  private static void warnings(CommandLine.Model.CommandSpec spec, JsonNode r) {
    PrintWriter err = spec.commandLine().getErr();
    for (JsonNode d : r.path("documents")) {
      for (JsonNode w : d.path("warnings")) {
        err.println("warning: " + d.path("origin").asText() + ": " + w.asText());
      }
    }
    err.flush();
  }

  /** Aligned rows without a header. */
  private static void rowsOnly(PrintWriter out, List<List<String>> rows) {
    int[] widths = new int[rows.get(0).size()];
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    for (List<String> r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        sb.append(r.get(i));
        if (i < r.size() - 1) {
          sb.append(" ".repeat(widths[i] - r.get(i).length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
