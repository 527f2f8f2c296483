package io.meshfed.controller.policy.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDocumentsTest {

  @TempDir
  Path dir;

  @Test
  void multiDocumentYamlSkipsEmptyDocumentsAndKeepsTheirIndex() {
    List<PolicySource> sources = PolicyDocuments.fromText("body", """
        ---
        kind: A
        ---
        ---
        # only a comment
        ---
        kind: B
        ---
        null
        """);
    assertThat(sources).extracting(PolicySource::origin).containsExactly("body#0", "body#3");
    assertThat(sources.get(1).document().get("kind").asText()).isEqualTo("B");
  }

  @Test
  void intsStayIntsAndQuotedStringsStayStrings() {
    JsonNode doc = PolicyDocuments.fromText("t", "a: 80\nb: \"80\"\nc: true\nd: 1.5\ne: 2001-12-14\nf: ~\n").get(0).document();
    assertThat(doc.get("a").isInt()).isTrue();
    assertThat(doc.get("b").isTextual()).isTrue();
    assertThat(doc.get("c").isBoolean()).isTrue();
    assertThat(doc.get("d").isDouble()).isTrue();
    assertThat(doc.get("e").asText()).isEqualTo("2001-12-14");
    assertThat(doc.get("f").isNull()).isTrue();
  }

  @Test
  void mergeKeysAreFollowed() {
    JsonNode doc = PolicyDocuments.fromText("t", "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n").get(0).document();
    assertThat(doc.get("m").get("x").asInt()).isEqualTo(1);
    assertThat(doc.get("m").get("y").asInt()).isEqualTo(2);
  }

  @Test
  void aDirectoryIsReadRecursivelyInLexicalOrderAndOnlyItsYamlAndJsonFiles() throws IOException {
    Files.writeString(dir.resolve("b.yaml"), "kind: B\n");
    Files.writeString(dir.resolve("a.yml"), "kind: A\n---\nkind: A2\n");
    Files.createDirectories(dir.resolve("sub/deeper"));
    Files.writeString(dir.resolve("sub/c.json"), "{\"kind\": \"C\"}");
    Files.writeString(dir.resolve("sub/deeper/d.yaml"), "kind: D\n");
    Files.writeString(dir.resolve("sub/notes.txt"), "kind: ignored\n");
    Files.writeString(dir.resolve("README.md"), "# not a manifest\n");

    List<PolicySource> sources = PolicyDocuments.read(dir);

    assertThat(sources).extracting(s -> s.document().get("kind").asText()).containsExactly("A", "A2", "B", "C", "D");
    assertThat(sources.get(1).origin()).isEqualTo(dir.resolve("a.yml") + "#1");
    assertThat(sources.get(4).origin()).isEqualTo(dir.resolve("sub/deeper/d.yaml") + "#0");
  }

  @Test
  void aFileIsReadWhateverItsName() throws IOException {
    Path file = Files.writeString(dir.resolve("policy.txt"), "kind: X\n");
    assertThat(PolicyDocuments.read(file)).hasSize(1);
  }

  @Test
  void listKindsAreUnwrappedLikeKubectl() {
    List<PolicySource> sources = PolicyDocuments.fromText("list.yaml", """
        apiVersion: v1
        kind: List
        items:
        - kind: CiliumNetworkPolicy
          metadata: {name: a}
        - kind: CiliumNetworkPolicyList
          items:
          - kind: CiliumNetworkPolicy
            metadata: {name: b}
        ---
        kind: CiliumNetworkPolicy
        metadata: {name: c}
        """);
    assertThat(sources).extracting(PolicySource::origin)
        .containsExactly("list.yaml#0.items[0]", "list.yaml#0.items[1].items[0]", "list.yaml#1");
    assertThat(sources).extracting(s -> s.document().at("/metadata/name").asText()).containsExactly("a", "b", "c");
  }

  @Test
  void malformedYamlNamesTheFileTheDocumentAndTheLineAndNothingIsReturned() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.yaml"), "kind: Fine\n---\nkind: Broken\nmetadata:\n  name: x\n   oops: [\n");
    assertThatThrownBy(() -> PolicyDocuments.read(dir))
        .isInstanceOfSatisfying(PolicyReadException.class, e -> {
          assertThat(e.origin()).isEqualTo(file.toString());
          assertThat(e.document()).isEqualTo(1);
          assertThat(e.line()).isEqualTo(6);
          assertThat(e.getMessage()).startsWith(file + "#1 line 6").contains("mapping values are not allowed");
        });
  }

  @Test
  void aMissingPathIsRefused() {
    assertThatThrownBy(() -> PolicyDocuments.read(dir.resolve("nope.yaml")))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("nope.yaml").hasMessageContaining("does not exist");
  }

  @Test
  void duplicateKeysAreRefusedWithTheirLine() {
    assertThatThrownBy(() -> PolicyDocuments.fromText("dup", "spec:\n  a: 1\n  a: 2\n"))
        .isInstanceOfSatisfying(PolicyReadException.class, e -> {
          assertThat(e.line()).isEqualTo(3);
          assertThat(e.reason()).contains("duplicate key");
        });
  }

  @Test
  void billionLaughsIsRefusedQuickly() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        yaml.append(j == 0 ? "" : ",").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> PolicyDocuments.fromText("lol.yaml", yaml.toString()))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("lol.yaml#0").hasMessageContaining("aliases");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aliasesBelowTheLimitThatStillExpandTooMuchAreRefused() {
    // 2^26 values from 26 aliases: under the alias limit, over the expansion limit.
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x]\n");
    for (int i = 1; i <= 25; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
    }
    assertThatThrownBy(() -> PolicyDocuments.fromText("wide.yaml", yaml.toString()))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("expand");
  }

  @Test
  void deepNestingIsRefused() {
    String yaml = "a: " + "[".repeat(150) + "]".repeat(150) + "\n";
    assertThatThrownBy(() -> PolicyDocuments.fromText("deep.yaml", yaml))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("deep.yaml#0").hasMessageContaining("nested deeper than 100");
  }

  @Test
  void aRecursiveAliasIsRefused() {
    assertThatThrownBy(() -> PolicyDocuments.fromText("loop.yaml", "a: &x [1, *x]\n"))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("loop.yaml#0");
  }

  @Test
  void tooLargeInputIsRefused() {
    String yaml = "a: \"" + "x".repeat(PolicyDocuments.MAX_CODE_POINTS) + "\"\n";
    assertThatThrownBy(() -> PolicyDocuments.fromText("big", yaml))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("larger than");
  }

  @Test
  void customTagsAreRefused() {
    assertThatThrownBy(() -> PolicyDocuments.fromText("tag", "a: !!javax.script.ScriptEngineManager [x]\n"))
        .isInstanceOf(PolicyReadException.class).hasMessageContaining("tag#0");
  }
}
