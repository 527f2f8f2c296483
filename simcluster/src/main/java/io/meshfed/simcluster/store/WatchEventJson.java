package io.meshfed.simcluster.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watch events as text, built around the object's stored JSON instead of parsing and writing it
 * again: the store keeps every object as the JSON it answers with, so an event is that JSON with
 * a type around it.
 */
final class WatchEventJson {

  /**
   * The object's own resourceVersion. The stored JSON is written by fabric8's serializer, which
   * puts {@code metadata} before {@code spec} and {@code status}, so the first match is the
   * metadata's, never an object reference's further down. Inside string values quotes are
   * escaped, so an annotation holding JSON cannot match.
   */
  private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\"\\s*:\\s*\"(\\d+)\"");

  private WatchEventJson() {
  }

  static String event(String type, String objectJson) {
    return "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}";
  }

  /**
   * The object's resourceVersion, or {@link Long#MAX_VALUE} when it has none: such an object is
   * sent to every watch, as an event too many is harmless and one too few is not.
   */
  static long resourceVersion(String objectJson) {
    Matcher matcher = RESOURCE_VERSION.matcher(objectJson);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : Long.MAX_VALUE;
  }

  /** The object with its resourceVersion replaced (a deletion gets a version of its own). */
  static String withResourceVersion(String objectJson, long version) {
    Matcher matcher = RESOURCE_VERSION.matcher(objectJson);
    if (!matcher.find()) {
      return objectJson;
    }
    return objectJson.substring(0, matcher.start(1)) + version + objectJson.substring(matcher.end(1));
  }

  /**
   * What an API server sends when a watch asks to resume from a version older than the history it
   * keeps: an ERROR event with a 410 Status; clients list again and watch from the new list.
   */
  static String expired(long requested, long oldestResumable) {
    return event("ERROR", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\"too old resource version: " + requested + " (" + oldestResumable + ")\","
        + "\"reason\":\"Expired\",\"code\":410}");
  }
}
