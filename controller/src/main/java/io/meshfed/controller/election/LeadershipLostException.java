package io.meshfed.controller.election;

/**
 * A leader-only write was not made because this replica is not the leader any more: etcd refused
 * the fenced transaction, or the replica had already stepped down. Not a transient failure: the
 * writer must stop rather than retry.
 */
public final class LeadershipLostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LeadershipLostException(String message) {
    super(message);
  }

  /** True when {@code error} or one of its causes is a lost leadership. */
  public static boolean isCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof LeadershipLostException) {
        return true;
      }
    }
    return false;
  }
}
