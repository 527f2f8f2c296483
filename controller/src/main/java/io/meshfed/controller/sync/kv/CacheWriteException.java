package io.meshfed.controller.sync.kv;

/** A write the {@link CacheWriter} could not accept: it is closed, or the caller was interrupted. */
public class CacheWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CacheWriteException(String message) {
    super(message);
  }

  public CacheWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
