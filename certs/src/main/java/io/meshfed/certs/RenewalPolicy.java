package io.meshfed.certs;

import java.time.Duration;
import java.time.Instant;

/**
 * The renewal rule as a pure function of time, expiry, window and force flags, so every branch can
 * be tested with a fixed clock.
 *
 * <ul>
 *   <li>force-replace-key, or a key type that differs from the wanted one: REPLACE_KEY;
 *   <li>force-renew, or inside the renewal window (including already expired): RENEW;
 *   <li>otherwise NOOP.
 * </ul>
 */
public record RenewalPolicy(Duration renewalWindow) {
  /** Default window: renew 30 days before expiry. */
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

  public RenewalPolicy {
    if (renewalWindow.isNegative()) {
      throw new PkiException("renewal-window", "must not be negative");
    }
  }

  public static RenewalPolicy defaults() {
    return new RenewalPolicy(DEFAULT_WINDOW);
  }

  /** Flags an operator sets to act before the window. */
  public record Force(boolean renew, boolean replaceKey) {
    public static final Force NONE = new Force(false, false);
  }

  public RenewalDecision decide(Instant now, Instant notAfter, KeyType current, KeyType wanted, Force force) {
    if (force.replaceKey() || current != wanted) {
      return RenewalDecision.REPLACE_KEY;
    }
    if (force.renew() || !now.isBefore(notAfter.minus(renewalWindow))) {
      return RenewalDecision.RENEW;
    }
    return RenewalDecision.NOOP;
  }
}
