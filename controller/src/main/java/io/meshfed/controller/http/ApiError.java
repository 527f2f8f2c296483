package io.meshfed.controller.http;

import java.util.List;

/**
 * The body of every error answer. {@code findings} carries the rest when several problems were
 * found at once (join pre-flight reports everything in one go).
 */
public record ApiError(String code, String message, String field, List<Finding> findings) {
  /** One problem: the field and the rule it broke. */
  public record Finding(String field, String message) {}
}
