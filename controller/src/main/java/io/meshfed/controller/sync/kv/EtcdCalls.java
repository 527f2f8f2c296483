package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.common.exception.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers around jetcd's futures and errors, shared by the write path and the election. */
public final class EtcdCalls {
  private EtcdCalls() {
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  /**
   * Waits for {@code call} at most {@code timeout}. A timeout cancels the future and fails; the
   * request may still have been applied, which is harmless here: every write is idempotent.
   */
  static <T> T await(CompletableFuture<T> call, Duration timeout) throws EtcdCallException {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new EtcdCallException("interrupted", e);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new EtcdCallException("no answer within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      throw new EtcdCallException(String.valueOf(cause.getMessage()), cause);
    }
  }

  /**
   * True when etcd says the lease is gone ({@code etcdserver: requested lease not found}): a put
   * that names an expired or revoked lease fails as a whole, and jetcd's keep-alive reports a
   * lease with TTL 0 the same way.
   */
  public static boolean isLeaseNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("requested lease not found")) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when etcd says the revision asked for was compacted away
   * ({@code etcdserver: mvcc: required revision has been compacted}).
   */
  static boolean isCompacted(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("required revision has been compacted")) {
        return true;
      }
    }
    return false;
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A failed etcd call; the message is short enough for a log line. */
  static final class EtcdCallException extends Exception {
    private static final long serialVersionUID = 1L;

    EtcdCallException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
