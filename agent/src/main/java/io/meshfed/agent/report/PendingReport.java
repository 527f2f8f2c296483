package io.meshfed.agent.report;

import io.meshfed.api.health.v1.HealthReport;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * At most one report waiting to be sent. A newer report replaces an unsent one (the controller
 * wants the current state, not history), so however long the controller is away, the agent holds
 * one report, never a queue. Thread-safe: the collector thread offers, the stream's event loop
 * takes.
 */
public final class PendingReport {
  private final AtomicReference<HealthReport> slot = new AtomicReference<>();
  private final AtomicLong replaced = new AtomicLong();

  /** Puts {@code report} in the slot; returns true when it replaced one that was never sent. */
  public boolean offer(HealthReport report) {
    HealthReport previous = slot.getAndSet(Objects.requireNonNull(report, "report"));
    if (previous != null) {
      replaced.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Takes the report out of the slot, or returns null when it is empty. */
  public HealthReport take() {
    return slot.getAndSet(null);
  }

  /** Puts {@code report} back only if nothing newer arrived meanwhile. */
  public void offerIfEmpty(HealthReport report) {
    slot.compareAndSet(null, Objects.requireNonNull(report, "report"));
  }

  public boolean isEmpty() {
    return slot.get() == null;
  }

  /** How many reports were replaced before they could be sent. */
  public long replaced() {
    return replaced.get();
  }
}
