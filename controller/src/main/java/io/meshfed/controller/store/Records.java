package io.meshfed.controller.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON of the controller's records. Unknown fields are tolerated (a newer replica may add some);
 * anything that does not parse is a {@link StoreException} naming the key, never a crash.
 */
public final class Records {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Records() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] toJson(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  public static <T> T fromJson(String key, byte[] json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new StoreException(key, "unreadable " + type.getSimpleName() + " record: " + e.getOriginalMessage()
          + " (value: " + abbreviate(new String(json, StandardCharsets.UTF_8)) + ")");
    } catch (IOException e) {
      throw new StoreException(key, "unreadable " + type.getSimpleName() + " record: " + e.getMessage()
          + " (value: " + abbreviate(new String(json, StandardCharsets.UTF_8)) + ")");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
