package io.meshfed.controller.policy.rollout;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

/** How a member's failure is told apart: unreachable (retry the member) or an answer (per policy). */
final class MemberErrors {
  private MemberErrors() {}

  /** No HTTP answer at all: connection refused, timeout, TLS failure. */
  static boolean unreachable(Throwable t) {
    if (t instanceof KubernetesClientException k && k.getCode() > 0) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof HttpTimeoutException || c instanceof TimeoutException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return t instanceof KubernetesClientException k && k.getStatus() == null;
  }

  static int code(Throwable t) {
    return t instanceof KubernetesClientException k ? k.getCode() : 0;
  }

  /** One line: {@code HTTP 403: <message>} or {@code no answer (<root cause>)}. */
  static String summary(Throwable t) {
    if (t instanceof KubernetesClientException k && k.getCode() > 0) {
      String m = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : firstLine(k.getMessage());
      return "HTTP " + k.getCode() + ": " + m;
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + firstLine(root.getMessage());
    return "no answer (" + m + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
