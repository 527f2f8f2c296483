package io.meshfed.controller.policy.validation;

/**
 * A policy file or body that cannot be read as YAML: missing, not UTF-8, malformed, or refused as
 * hostile (too many aliases, too deep, too large). Nothing of the input is returned when this is
 * thrown, not even the documents before the broken one.
 *
 * <p>The message names the place and the parser's reason, e.g.
 * {@code policies/a.yaml#1 line 7 column 3: mapping values are not allowed here}.
 */
public final class PolicyReadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String origin;
  private final int document;
  private final int line;
  private final int column;
  private final String reason;

  /**
   * @param origin   the file (as given, joined with its path below a directory) or the text's origin
   * @param document index of the document in the file, from 0; -1 when the whole input is at fault
   * @param line     line number from 1; 0 when unknown
   * @param column   column number from 1; 0 when unknown
   * @param reason   the parser's reason or ours
   */
  public PolicyReadException(String origin, int document, int line, int column, String reason) {
    super(format(origin, document, line, column, reason));
    this.origin = origin;
    this.document = document;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  /** The file or text origin, without document index. */
  public String origin() {
    return origin;
  }

  /** Index of the broken document from 0, or -1 when the whole input is at fault. */
  public int document() {
    return document;
  }

  /** Line from 1, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** Column from 1, or 0 when unknown. */
  public int column() {
    return column;
  }

  /** Why it was refused. */
  public String reason() {
    return reason;
  }

  private static String format(String origin, int document, int line, int column, String reason) {
    StringBuilder out = new StringBuilder(origin);
    if (document >= 0) {
      out.append('#').append(document);
    }
    if (line > 0) {
      out.append(" line ").append(line);
      if (column > 0) {
        out.append(" column ").append(column);
      }
    }
    return out.append(": ").append(reason).toString();
  }
}
