package io.meshfed.controller.policy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.reader.UnicodeReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads policy manifests the way {@code kubectl apply -f PATH -R} does: a file, or every
 * {@code .yaml}/{@code .yml}/{@code .json} file below a directory (recursively, each directory's
 * entries in lexical order); multi-document YAML; empty documents skipped; a {@code kind: List}
 * (any kind ending in {@code List} with an {@code items} list) unwrapped into its items.
 *
 * <p>YAML is read with SnakeYAML's safe composer (YAML 1.1 scalars, as kubectl's go-yaml reads
 * them: {@code 80} is an int, {@code "80"} a string) and turned into a Jackson tree without any
 * Java object construction. Hostile input is refused before it can cost much: more than
 * {@value #MAX_ALIASES_FOR_COLLECTIONS} aliases to lists or maps ("billion laughs"), nesting deeper
 * than {@value #MAX_NESTING_DEPTH}, more than {@value #MAX_CODE_POINTS} characters, or aliases that
 * expand to more than {@value #MAX_EXPANDED_VALUES} values. Duplicate keys are refused (kubectl's
 * strict decoding refuses them too).
 *
 * <p>Any problem throws {@link PolicyReadException} naming the file, the document index, the line
 * and the reason; nothing partial is returned.
 */
public final class PolicyDocuments {

  /** Most aliases to a list or map in one input (SnakeYAML's {@code maxAliasesForCollections}). */
  public static final int MAX_ALIASES_FOR_COLLECTIONS = 50;
  /** Deepest nesting of lists and maps. */
  public static final int MAX_NESTING_DEPTH = 100;
  /** Most characters (code points) in one file or body: 3 MiB, twice what etcd stores for one object. */
  public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
  /** Most values one input may expand to once its aliases are followed. */
  public static final int MAX_EXPANDED_VALUES = 1_000_000;

  private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PolicyDocuments() {}

  /**
   * Reads a file (whatever its name) or a directory tree (only its YAML and JSON files).
   *
   * @throws PolicyReadException when the path is missing or any file cannot be read
   */
  public static List<PolicySource> read(Path path) {
    List<Path> files;
    if (Files.isDirectory(path)) {
      files = new ArrayList<>();
      collect(path, files, 0);
    } else if (Files.isRegularFile(path)) {
      files = List.of(path);
    } else {
      throw new PolicyReadException(path.toString(), -1, 0, 0, "does not exist (or is neither a file nor a directory)");
    }
    List<PolicySource> out = new ArrayList<>();
    for (Path file : files) {
      out.addAll(fromText(file.toString(), readText(file)));
    }
    return List.copyOf(out);
  }

  /**
   * Reads YAML or JSON text, e.g. an API request body.
   *
   * @param origin names the text in origins and messages, e.g. {@code request body}
   * @throws PolicyReadException when the text is malformed or refused
   */
  public static List<PolicySource> fromText(String origin, String yaml) {
    if (yaml.codePointCount(0, yaml.length()) > MAX_CODE_POINTS) {
      throw new PolicyReadException(origin, -1, 0, 0, "refused: larger than " + MAX_CODE_POINTS + " characters");
    }
    return new Reading(origin).all(yaml);
  }

  private static void collect(Path dir, List<Path> files, int depth) {
    if (depth > MAX_NESTING_DEPTH) {
      throw new PolicyReadException(dir.toString(), -1, 0, 0, "refused: directories nested deeper than " + MAX_NESTING_DEPTH);
    }
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new PolicyReadException(dir.toString(), -1, 0, 0, "cannot list the directory: " + e.getMessage());
    }
    for (Path entry : entries) {
      if (Files.isDirectory(entry)) {
        // Like kubectl's filepath.Walk, a symbolic link to a directory is not followed.
        if (!Files.isSymbolicLink(entry)) {
          collect(entry, files, depth + 1);
        }
      } else if (Files.isRegularFile(entry) && hasPolicyExtension(entry)) {
        files.add(entry);
      }
    }
  }

  private static boolean hasPolicyExtension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot));
  }

  private static String readText(Path file) {
    try {
      if (Files.size(file) > 4L * MAX_CODE_POINTS) {
        throw new PolicyReadException(file.toString(), -1, 0, 0, "refused: larger than " + MAX_CODE_POINTS + " characters");
      }
      byte[] bytes = Files.readAllBytes(file);
      StringBuilder text = new StringBuilder(bytes.length);
      // UnicodeReader honours a UTF-8/UTF-16 byte order mark and refuses malformed input.
      try (Reader reader = new UnicodeReader(new ByteArrayInputStream(bytes))) {
        char[] buffer = new char[8192];
        for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
          text.append(buffer, 0, n);
        }
      }
      return text.toString();
    } catch (IOException e) {
      throw new PolicyReadException(file.toString(), -1, 0, 0, "cannot be read as UTF-8 text: " + e);
    }
  }

  /** One input: composes its documents and converts them, counting what aliases expand to. */
  private static final class Reading {
    private final String origin;
    private final LoaderOptions options = new LoaderOptions();
    private final Scalars scalars;
    private int document;
    private int expanded;

    Reading(String origin) {
      this.origin = origin;
      options.setMaxAliasesForCollections(MAX_ALIASES_FOR_COLLECTIONS);
      options.setNestingDepthLimit(MAX_NESTING_DEPTH);
      options.setCodePointLimit(MAX_CODE_POINTS);
      options.setAllowDuplicateKeys(false);
      options.setAllowRecursiveKeys(false);
      this.scalars = new Scalars(options);
    }

    List<PolicySource> all(String yaml) {
      StreamReader stream = new StreamReader(yaml);
      Composer composer = new Composer(new ParserImpl(stream, options), new Resolver(), options);
      List<PolicySource> out = new ArrayList<>();
      try {
        for (; composer.checkNode(); document++) {
          Node root = composer.getNode();
          if (root == null || isNull(root)) {
            continue;
          }
          add(out, origin + "#" + document, convert(root, 0), 0);
        }
      } catch (MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String reason = e.getProblem() == null ? e.getMessage() : e.getProblem();
        if (e.getContext() != null) {
          reason = reason + " (" + e.getContext() + ")";
        }
        throw failure(mark, reason);
      } catch (YAMLException e) {
        // SnakeYAML's limits throw without a mark: report where the reader stopped.
        throw failure(stream.getMark(), "refused: " + describeLimit(e.getMessage()));
      } catch (Problem p) {
        throw failure(p.mark, p.getMessage());
      }
      return out;
    }

    private PolicyReadException failure(Mark mark, String reason) {
      int line = mark == null ? 0 : mark.getLine() + 1;
      int column = mark == null ? 0 : mark.getColumn() + 1;
      return new PolicyReadException(origin, document, line, column, reason);
    }

    /** Unwraps kind: List (and FooList) like kubectl; anything else is one source. */
    private void add(List<PolicySource> out, String where, JsonNode node, int depth) {
      JsonNode kind = node.get("kind");
      JsonNode items = node.get("items");
      if (depth < MAX_NESTING_DEPTH && kind != null && kind.isTextual() && kind.asText().endsWith("List")
          && items != null && (items.isArray() || items.isNull())) {
        for (int i = 0; i < items.size(); i++) {
          if (!items.get(i).isNull()) {
            add(out, where + ".items[" + i + "]", items.get(i), depth + 1);
          }
        }
        return;
      }
      out.add(new PolicySource(where, node));
    }

    private JsonNode convert(Node node, int depth) {
      if (depth > MAX_NESTING_DEPTH) {
        throw new Problem(node, "refused: nested deeper than " + MAX_NESTING_DEPTH + " levels (or an alias that contains itself)");
      }
      if (++expanded > MAX_EXPANDED_VALUES) {
        throw new Problem(node, "refused: its aliases expand to more than " + MAX_EXPANDED_VALUES + " values");
      }
      if (node instanceof ScalarNode scalar) {
        return scalar(scalar);
      }
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = JSON.arrayNode();
        for (Node item : sequence.getValue()) {
          array.add(convert(item, depth + 1));
        }
        return array;
      }
      if (node instanceof MappingNode mapping) {
        scalars.flatten(mapping);
        ObjectNode object = JSON.objectNode();
        for (NodeTuple entry : mapping.getValue()) {
          String key = key(entry.getKeyNode());
          if (object.has(key)) {
            throw new Problem(entry.getKeyNode(), "duplicate key \"" + key + "\"");
          }
          object.set(key, convert(entry.getValueNode(), depth + 1));
        }
        return object;
      }
      throw new Problem(node, "unsupported YAML node " + node.getNodeId());
    }

    private String key(Node node) {
      if (!(node instanceof ScalarNode scalar)) {
        throw new Problem(node, "a map key must be a plain value, not a list or map");
      }
      JsonNode value = scalar(scalar);
      return value.isNull() ? "null" : value.asText();
    }

    private JsonNode scalar(ScalarNode node) {
      Tag tag = node.getTag();
      if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP) || tag.equals(Tag.BINARY)) {
        // Timestamps and binary stay text, as they are in the JSON kubectl sends.
        return JSON.textNode(node.getValue());
      }
      if (tag.equals(Tag.NULL)) {
        return JSON.nullNode();
      }
      if (!tag.equals(Tag.INT) && !tag.equals(Tag.FLOAT) && !tag.equals(Tag.BOOL)) {
        throw new Problem(node, "unsupported YAML tag " + tag);
      }
      Object value = scalars.construct(node);
      if (value instanceof Boolean b) {
        return JSON.booleanNode(b);
      }
      if (value instanceof Integer i) {
        return JSON.numberNode(i);
      }
      if (value instanceof Long l) {
        return JSON.numberNode(l);
      }
      if (value instanceof BigInteger big) {
        return JSON.numberNode(big);
      }
      if (value instanceof Double d) {
        return JSON.numberNode(d);
      }
      return JSON.textNode(node.getValue());
    }

    private static boolean isNull(Node node) {
      return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    private static String describeLimit(String message) {
      if (message == null) {
        return "the YAML is not acceptable";
      }
      if (message.contains("aliases")) {
        return "more than " + MAX_ALIASES_FOR_COLLECTIONS + " aliases to lists or maps (" + message + ")";
      }
      if (message.contains("Nesting Depth")) {
        return "nested deeper than " + MAX_NESTING_DEPTH + " levels (" + message + ")";
      }
      if (message.contains("exceeds the limit")) {
        return "larger than " + MAX_CODE_POINTS + " characters (" + message + ")";
      }
      return message;
    }
  }

  /** SnakeYAML's own scalar resolution (YAML 1.1 ints, floats, booleans) and merge-key flattening. */
  private static final class Scalars extends SafeConstructor {
    Scalars(LoaderOptions options) {
      super(options);
      // Read by flattenMapping; without it SnakeYAML keeps the last of duplicate keys silently.
      setAllowDuplicateKeys(false);
    }

    Object construct(ScalarNode node) {
      return constructObject(node);
    }

    void flatten(MappingNode node) {
      flattenMapping(node);
    }
  }

  /** A conversion problem at a node; turned into a {@link PolicyReadException}. */
  private static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Mark mark;

    Problem(Node node, String message) {
      super(message, null, false, false);
      this.mark = node.getStartMark();
    }
  }
}
