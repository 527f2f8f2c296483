package io.meshfed.controller.cli;

/** An error answer of the controller API ({@code {code, message, field}}), or no answer at all. */
public final class ApiClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final String field;
  private final transient com.fasterxml.jackson.databind.JsonNode body;

  public ApiClientException(int status, String code, String field, String message, com.fasterxml.jackson.databind.JsonNode body) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
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

  /** The whole error body (e.g. the list of findings), or null. */
  public com.fasterxml.jackson.databind.JsonNode body() {
    return body;
  }
}
