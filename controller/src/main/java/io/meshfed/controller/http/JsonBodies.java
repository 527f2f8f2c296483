package io.meshfed.controller.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.vertx.ext.web.RoutingContext;

/**
 * Strict JSON request bodies: unknown fields, wrong types and malformed JSON are 400s naming the
 * field path, so a typo in a script fails loudly instead of being ignored.
 */
public final class JsonBodies {
  private static final ObjectMapper STRICT = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static {
    // Wrong types are wrong: "3" is not a number of uses and 5 is not a cluster name.
    for (var shape : new com.fasterxml.jackson.databind.cfg.CoercionInputShape[] {
        com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer, com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
        com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean}) {
      STRICT.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual)
          .setCoercion(shape, com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
    }
    for (var type : new com.fasterxml.jackson.databind.type.LogicalType[] {
        com.fasterxml.jackson.databind.type.LogicalType.Integer, com.fasterxml.jackson.databind.type.LogicalType.Float,
        com.fasterxml.jackson.databind.type.LogicalType.Boolean}) {
      STRICT.coercionConfigFor(type).setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.String,
          com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
    }
    STRICT.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Integer).setCoercion(
        com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float, com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
  }

  private static final ObjectMapper OUT = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  private JsonBodies() {}

  public static <T> T read(RoutingContext ctx, Class<T> type) {
    var body = ctx.body();
    if (body == null || body.buffer() == null || body.length() == 0) {
      throw ApiException.badRequest("body", "a JSON body is required");
    }
    try {
      T value = STRICT.readValue(utf8(body.buffer().getBytes()), type);
      if (value == null) {
        throw ApiException.badRequest("body", "a JSON object is required, got null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest(path(e), "unknown field");
    } catch (JsonMappingException e) {
      throw ApiException.badRequest(path(e).isEmpty() ? "body" : path(e), "invalid value: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("body", "unreadable: " + e.getMessage());
    }
  }

  /**
   * A body as text: bytes that are not UTF-8 (stray bytes, overlong forms, encoded surrogates) are a
   * 400 naming their offset, never silently replaced or passed on.
   */
  public static String utf8(byte[] bytes) {
    java.nio.charset.CharsetDecoder d = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    try {
      return d.decode(in).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw ApiException.badRequest("body", "not UTF-8 text: invalid byte sequence at offset " + in.position());
    }
  }

  public static String write(Object value) {
    try {
      return OUT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
