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
      T value = STRICT.readValue(body.buffer().getBytes(), type);
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
