package io.meshfed.controller.policy;

import java.util.List;

/**
 * An apply refused as a whole: at least one document is invalid, so nothing was stored. Carries
 * every problem of every document (errors and, for information, warnings) with its origin.
 */
public final class PolicyRejected extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One finding of one document: where ({@code dir/a.yaml#1}), which field, the whole message. */
  public record Problem(String origin, String field, String message) {}

  private final transient List<Problem> errors;
  private final transient List<Problem> warnings;

  public PolicyRejected(int documents, List<Problem> errors, List<Problem> warnings) {
    super(message(invalidDocuments(errors), documents));
    this.errors = List.copyOf(errors);
    this.warnings = List.copyOf(warnings);
  }

  public List<Problem> errors() {
    return errors;
  }

  public List<Problem> warnings() {
    return warnings;
  }

  /** The field of the first error (the API's {@code field}). */
  public String field() {
    return errors.isEmpty() ? null : errors.get(0).field();
  }

  private static String message(long invalid, int documents) {
    return invalid + " of " + documents + " document" + (documents == 1 ? "" : "s") + (invalid == 1 ? " is" : " are")
        + " invalid; nothing was stored";
  }

  private static long invalidDocuments(List<Problem> errors) {
    return errors.stream().map(Problem::origin).distinct().count();
  }
}
