package io.meshfed.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The changed paths an event or a diff reports. */
class JsonDiffTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode j(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  @DisplayName("leaf changes, added and removed fields and list items are reported at their own paths")
  void paths() throws Exception {
    JsonNode a = j("{'spec':{'ingress':[{'toPorts':[{'ports':[{'port':'80','protocol':'TCP'}]}]}],'x':1}}");
    JsonNode b = j("{'spec':{'ingress':[{'toPorts':[{'ports':[{'port':'8080','protocol':'TCP'}]}]},{}],'y':1}}");
    assertThat(JsonDiff.paths(a, b, 50)).containsExactly("spec.ingress[0].toPorts[0].ports[0].port", "spec.ingress[1]", "spec.x", "spec.y");
    assertThat(JsonDiff.paths(a, a, 50)).isEmpty();
  }

  @Test
  @DisplayName("keys that are not plain words are quoted; the list stops at the limit")
  void quotingAndLimit() throws Exception {
    JsonNode a = j("{'metadata':{'labels':{'app.kubernetes.io/name':'a','b':'1','c':'1'}}}");
    JsonNode b = j("{'metadata':{'labels':{'app.kubernetes.io/name':'b','b':'2','c':'2'}}}");
    assertThat(JsonDiff.paths(a, b, 50)).containsExactly("metadata.labels[\"app.kubernetes.io/name\"]", "metadata.labels.b", "metadata.labels.c");
    assertThat(JsonDiff.paths(a, b, 2)).hasSize(2);
  }

  @Test
  @DisplayName("a type change (list to map, number to string) is a change of that path")
  void typeChanges() throws Exception {
    assertThat(JsonDiff.paths(j("{'a':[1]}"), j("{'a':{'x':1}}"), 50)).containsExactly("a");
    assertThat(JsonDiff.paths(j("{'a':80}"), j("{'a':'80'}"), 50)).containsExactly("a");
  }
}
