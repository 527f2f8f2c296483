package io.meshfed.simcluster.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Reading request bodies of the API objects answered here (TokenRequest, SelfSubjectAccessReview). */
final class JsonBodies {

  static final ObjectMapper JSON = new ObjectMapper();

  private JsonBodies() {
  }

  /** The body as a JSON object; an empty body is an empty object. Throws for anything else. */
  static ObjectNode object(String body) throws JsonProcessingException {
    if (body == null || body.isBlank()) {
      return JSON.createObjectNode();
    }
    JsonNode node = JSON.readTree(body);
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException("the request body is not a JSON object");
    }
    return object;
  }

  /** The child object, created when missing or null. */
  static ObjectNode child(ObjectNode parent, String field) {
    JsonNode existing = parent.get(field);
    if (existing instanceof ObjectNode object) {
      return object;
    }
    return parent.putObject(field);
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  static List<String> texts(JsonNode node, String field) {
    List<String> values = new ArrayList<>();
    JsonNode array = node.get(field);
    if (array != null && array.isArray()) {
      array.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  /** RFC 3339 to the second, as metav1.Time is written. */
  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
