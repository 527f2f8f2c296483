package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** {@code -o table|json|yaml}: every command that prints a table also prints JSON and YAML. */
public enum OutputFormat {
  TABLE,
  JSON,
  YAML;

  private static final ObjectMapper JSON_MAPPER = configure(new ObjectMapper());
  private static final ObjectMapper YAML_MAPPER = configure(new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)));

  private static ObjectMapper configure(ObjectMapper m) {
    return m.registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** picocli converter: accepts table, json, yaml in any case. */
  public static final class Converter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("-o must be one of table, json, yaml (got \"" + value + "\")");
      }
    }
  }

  /** Prints a value as JSON or YAML; for TABLE the caller prints its own rows. */
  public void print(PrintWriter out, Object value) {
    try {
      switch (this) {
        case JSON -> out.println(JSON_MAPPER.writeValueAsString(value));
        case YAML -> out.print(YAML_MAPPER.writeValueAsString(value));
        case TABLE -> throw new IllegalStateException("tables are printed by the command");
        default -> throw new IllegalStateException(name());
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render output: " + e.getMessage(), e);
    }
    out.flush();
  }

  /** A plain aligned table: header row, then rows. */
  public static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      for (List<String> r : rows) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    printRow(out, header, widths);
    for (List<String> r : rows) {
      printRow(out, r, widths);
    }
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(c);
      if (i < cells.size() - 1) {
        sb.append(" ".repeat(widths[i] - c.length() + 2));
      }
    }
    out.println(sb.toString().stripTrailing());
  }
}
