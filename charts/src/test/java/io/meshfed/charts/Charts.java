package io.meshfed.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The charts under test, run through real Helm (helm-java's native library): render with values,
 * capture Helm's refusal, lint. Every render uses release "mf" in namespace "meshfed" and first
 * applies the chart's {@code ci/required-values.yaml} (the values the chart has no default for),
 * unless a test asks for the chart's bare defaults.
 */
final class Charts {
  static final String CONTROLLER = "meshfed-controller";
  static final String AGENT = "meshfed-agent";
  static final String RELEASE = "mf";
  static final String NAMESPACE = "meshfed";
  static final String APP_VERSION = "0.1.0";

  private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

  private Charts() {}

  static Path helmDir() {
    return Path.of(System.getProperty("meshfed.helm.dir", "../helm")).toAbsolutePath().normalize();
  }

  static Path chart(String name) {
    return helmDir().resolve(name);
  }

  /** Renders the chart with its required values plus {@code valuesYaml}; cached per input. */
  static List<Map<String, Object>> render(String chart, String valuesYaml) {
    return RENDERED.computeIfAbsent(chart + "\n" + valuesYaml, k -> parse(template(chart, true, valuesYaml).call()));
  }

  /** The NOTES.txt Helm prints after an install (a client-only dry run, no cluster involved). */
  static String notes(String chart, String valuesYaml) {
    InstallCommand cmd = new Helm(chart(chart)).install().clientOnly().dryRun().withName(RELEASE).withNamespace(NAMESPACE)
        .withValuesFile(requiredValues(chart));
    if (valuesYaml != null && !valuesYaml.isBlank()) {
      cmd = cmd.withValuesFile(write(valuesYaml));
    }
    String output = cmd.call().getOutput();
    int notes = output.indexOf("NOTES:");
    assertThat(notes).as("install output has NOTES:\n" + output).isNotNegative();
    return output.substring(notes);
  }

  /** Helm's error for values the chart must refuse (required values applied first). */
  static String refusal(String chart, String valuesYaml) {
    return refusal(chart, true, valuesYaml);
  }

  static String refusal(String chart, boolean withRequired, String valuesYaml) {
    try {
      template(chart, withRequired, valuesYaml).call();
    } catch (RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
    throw new AssertionError("helm template " + chart + " accepted values it must refuse:\n" + valuesYaml);
  }

  private static TemplateCommand template(String chart, boolean withRequired, String valuesYaml) {
    TemplateCommand cmd = new Helm(chart(chart)).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (withRequired) {
      cmd = cmd.withValuesFile(requiredValues(chart));
    }
    if (valuesYaml != null && !valuesYaml.isBlank()) {
      cmd = cmd.withValuesFile(write(valuesYaml));
    }
    return cmd;
  }

  static Path requiredValues(String chart) {
    return chart(chart).resolve("ci").resolve("required-values.yaml");
  }

  /**
   * Strict lint of a copy of the chart whose values.yaml also holds {@code extraValuesYaml}
   * merged over it (helm lint reads only the chart's own values.yaml; helm-java's lint takes no
   * values files). Null lints the chart exactly as shipped.
   */
  static LintResult lint(String chart, String extraValuesYaml) {
    if (extraValuesYaml == null) {
      return new Helm(chart(chart)).lint().strict().call();
    }
    Path copy = copyChart(chart);
    Map<String, Object> values = loadMap(read(copy.resolve("values.yaml")));
    deepMerge(values, loadMap(extraValuesYaml));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    writeTo(copy.resolve("values.yaml"), new Yaml(options).dump(values));
    try {
      return new Helm(copy).lint().strict().call();
    } finally {
      deleteTree(copy.getParent());
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Map<String, Object>> parse(String manifests) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : yaml().loadAll(manifests)) {
      if (doc != null) {
        docs.add(Manifests.map(doc));
      }
    }
    return docs;
  }

  private static Map<String, Object> loadMap(String text) {
    Object loaded = yaml().load(text);
    return loaded == null ? new LinkedHashMap<>() : Manifests.map(loaded);
  }

  @SuppressWarnings("unchecked")
  private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
    from.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m && into.get(k) instanceof Map<?, ?> existing) {
        deepMerge((Map<String, Object>) existing, (Map<String, Object>) m);
      } else {
        into.put(k, v);
      }
    });
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  private static Path write(String valuesYaml) {
    try {
      Path file = Files.createTempFile("meshfed-chart-values", ".yaml");
      file.toFile().deleteOnExit();
      return writeTo(file, valuesYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path writeTo(Path file, String text) {
    try {
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path copyChart(String chart) {
    try {
      Path target = Files.createTempDirectory("meshfed-chart-lint").resolve(chart);
      Path source = chart(chart);
      try (Stream<Path> files = Files.walk(source)) {
        for (Path p : files.toList()) {
          Files.copy(p, target.resolve(source.relativize(p).toString()));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
