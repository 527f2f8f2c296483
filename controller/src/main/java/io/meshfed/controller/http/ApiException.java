package io.meshfed.controller.http;

/**
 * A refusal the API returns as {@code {code, message, field}} with an HTTP status. Thrown anywhere
 * below the HTTP layer; the router's failure handler renders it.
 */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final String field;

  public ApiException(int status, String code, String field, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public static ApiException badRequest(String field, String message) {
    return new ApiException(400, "BadRequest", field, message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "Unauthorized", null, message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "Forbidden", null, message);
  }

  public static ApiException notFound(String field, String message) {
    return new ApiException(404, "NotFound", field, message);
  }

  public static ApiException conflict(String field, String message) {
    return new ApiException(409, "Conflict", field, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }
}
