package io.meshfed.controller.member;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Draws in [0, 1) that stay evenly spread however many are taken: the n-th draw is
 * {@code start + n × 0.618…} (the golden ratio's fractional part) modulo 1.
 *
 * <p>Why not independent uniform draws: they promise nothing about any two of them. Of n uniform
 * draws the closest two are expected about 1/n² apart (the birthday effect), so among a few dozen
 * members that went away together some pairs get retry schedules a millisecond apart and come
 * back in lockstep. Each golden-ratio draw lands in the largest gap the earlier ones left: any n
 * consecutive draws are at least 0.44/n apart (three-distance theorem), so clients or probes
 * created together are spread over the whole range. The start is random, so two processes do not
 * share a sequence.
 */
public final class EvenSpread implements DoubleSupplier {
  private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

  private final double start;
  private final AtomicLong taken = new AtomicLong();

  /** @param start the first draw, in [0, 1) */
  public EvenSpread(double start) {
    if (start < 0 || start >= 1) {
      throw new IllegalArgumentException("start must be in [0, 1), not " + start);
    }
    this.start = start;
  }

  /** A sequence with a random first draw. */
  public static EvenSpread randomStart() {
    return new EvenSpread(ThreadLocalRandom.current().nextDouble());
  }

  @Override
  public double getAsDouble() {
    double x = start + taken.getAndIncrement() * GOLDEN;
    return x - Math.floor(x);
  }
}
