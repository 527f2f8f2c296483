package io.meshfed.controller.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash points for the crash-safety tests: when {@code MESHFED_FAULT_CRASH_AT} names a point, the
 * process halts there as abruptly as SIGKILL would (no shutdown hooks, no finally blocks). Unset
 * in production, where every call is a single string comparison.
 */
public final class FaultInjection {
  public static final String ENV = "MESHFED_FAULT_CRASH_AT";
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);
  private static final String POINT = System.getenv(ENV);

  private FaultInjection() {}

  public static void crashPoint(String point) {
    if (point.equals(POINT)) {
      LOG.error("op=fault point={} halting the process as a crash test asked", point);
      System.err.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
