package io.meshfed.controller.policy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One policy document as read from a file or an API body, before validation.
 *
 * @param origin   where it came from, for messages: {@code dir/a.yaml#1} (the second document of
 *                 {@code dir/a.yaml}, counting from 0 like {@code kubectl}), or
 *                 {@code dir/list.yaml#0.items[2]} for an item of a {@code kind: List}
 * @param document the document as a JSON tree, exactly as written (ints stay ints, strings stay
 *                 strings; nothing is defaulted or dropped)
 */
public record PolicySource(String origin, JsonNode document) {

  /** Both parts are required. */
  public PolicySource {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(document, "document");
  }
}
