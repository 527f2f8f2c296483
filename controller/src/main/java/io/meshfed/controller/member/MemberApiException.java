package io.meshfed.controller.member;

/**
 * A request the controller made to a member as its ServiceAccount failed (token renewal, a Secret
 * update). {@link #httpCode()} tells a refused token (401) or a missing right (403) from the rest.
 */
public final class MemberApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int httpCode;

  MemberApiException(String message, int httpCode, Throwable cause) {
    super(message, cause);
    this.httpCode = httpCode;
  }

  /** The member API's HTTP status, or 0 when no answer came back. */
  public int httpCode() {
    return httpCode;
  }
}
