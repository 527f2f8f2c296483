package io.meshfed.agent.collect;

/**
 * A Kubernetes request that failed: {@code code} is the HTTP status, or 0 when no answer came
 * (connection refused, timeout). The message is one line fit for a report's error field.
 */
public final class KubeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** HTTP 410: the continue token of a paged list expired. */
  public static final int GONE = 410;
  public static final int NOT_FOUND = 404;
  public static final int FORBIDDEN = 403;

  private final int code;

  public KubeException(int code, String message) {
    super(message);
    this.code = code;
  }

  public KubeException(String message, Throwable cause) {
    super(message, cause);
    this.code = 0;
  }

  public int code() {
    return code;
  }
}
