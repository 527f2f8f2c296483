package io.meshfed.agent.collect;

import io.meshfed.api.health.HealthReports;

/** Turns exceptions into the one-line texts of report error fields. */
final class Errors {
  private Errors() {}

  static String text(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      message = t.getClass().getSimpleName();
    }
    Throwable cause = t.getCause();
    if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
      message = message + ": " + cause.getMessage();
    }
    return HealthReports.errorText(message);
  }
}
