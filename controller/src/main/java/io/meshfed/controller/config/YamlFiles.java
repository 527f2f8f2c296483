package io.meshfed.controller.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes the small YAML files meshfed uses; unknown keys are errors (typos must not pass silently). */
public final class YamlFiles {
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  private YamlFiles() {}

  public static <T> T read(Path file, Class<T> type) {
    if (!Files.isReadable(file)) {
      throw new ConfigException(file.toString(), "file does not exist or is not readable");
    }
    try {
      T value = MAPPER.readValue(file.toFile(), type);
      if (value == null) {
        throw new ConfigException(file.toString(), "is empty");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(file + " " + e.getPropertyName(), "unknown key (known: " + e.getKnownPropertyIds() + ")");
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .reduce((a, b) -> a + "." + b).orElse("");
      throw new ConfigException(file + (path.isEmpty() ? "" : " " + path), "invalid: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "not valid YAML: " + e.getMessage());
    }
  }

  public static void write(Path file, Object value) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, MAPPER.writeValueAsString(value));
  }
}
