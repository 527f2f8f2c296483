package io.meshfed.controller.sync.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The golden values of spec section 2, owned by the api module
 * ({@code api/src/test/resources/golden/}); read through the source tree so there is one copy.
 * A test that needs them is skipped, with a message, when the tree is not there.
 */
final class Golden {

  static final Path DIRECTORY = Path.of("..", "api", "src", "test", "resources", "golden");

  private static final ObjectMapper JSON = new ObjectMapper();

  private Golden() {
  }

  /** The file's bytes, as stored. */
  static byte[] bytes(String name) {
    Path file = DIRECTORY.resolve(name);
    assumeTrue(Files.isRegularFile(file), () -> "golden file " + file.toAbsolutePath()
        + " not found (run from the controller module of a full checkout); skipped");
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The file's JSON in Go's compact form: the golden files are pretty-printed for people, and
   * Jackson keeps their key order, so this is exactly what {@code json.Marshal} writes.
   */
  static byte[] compactJson(String name) {
    try {
      return JSON.writeValueAsString(JSON.readTree(bytes(name))).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
