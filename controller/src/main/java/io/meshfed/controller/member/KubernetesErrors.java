package io.meshfed.controller.member;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;

/** Short, user-facing descriptions of fabric8 failures (its own messages run to many lines). */
public final class KubernetesErrors {

  static final int NOT_FOUND = 404;
  static final int CONFLICT = 409;
  static final int UNAUTHORIZED = 401;
  static final int FORBIDDEN = 403;

  private KubernetesErrors() {
  }

  /**
   * True when no HTTP answer came back at all (connection refused, timeout, TLS failure): the
   * member's API is not reachable, as opposed to answering with an error.
   */
  static boolean isUnreachable(KubernetesClientException e) {
    if (e.getCode() > 0) {
      return false;
    }
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof ConnectException || cause instanceof HttpTimeoutException) {
        return true;
      }
    }
    return e.getStatus() == null;
  }

  /** {@code HTTP 403: <server message>}, or {@code no answer: <root cause>} when none came back. */
  static String summary(KubernetesClientException e) {
    if (e.getCode() > 0) {
      String message = e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : firstLine(e.getMessage());
      return "HTTP " + e.getCode() + ": " + message;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root == e) {
      return "no answer: " + firstLine(String.valueOf(e.getMessage()));
    }
    String name = root.getClass().getSimpleName();
    return "no answer: " + (root.getMessage() == null ? name : name + ": " + firstLine(root.getMessage()));
  }

  /** {@link #summary(KubernetesClientException)} for any failure. */
  public static String summary(RuntimeException e) {
    if (e instanceof KubernetesClientException kubernetes) {
      return summary(kubernetes);
    }
    return e.getClass().getSimpleName() + ": " + firstLine(String.valueOf(e.getMessage()));
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
