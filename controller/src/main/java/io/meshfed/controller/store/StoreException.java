package io.meshfed.controller.store;

/**
 * A refusal or failure of the mesh state in etcd, naming the field or key it concerns, so the API
 * can answer {@code {code, message, field}} and the CLI one clear line.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public StoreException(String field, String message) {
    this(field, message, null);
  }

  public StoreException(String field, String message, Throwable cause) {
    super(field + ": " + message, cause);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
