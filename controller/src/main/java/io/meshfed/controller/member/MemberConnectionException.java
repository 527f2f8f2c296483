package io.meshfed.controller.member;

/** A client for a member cannot be built: the kubeconfig is unreadable, or names no usable context. */
public final class MemberConnectionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MemberConnectionException(String message) {
    super(message);
  }

  public MemberConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
