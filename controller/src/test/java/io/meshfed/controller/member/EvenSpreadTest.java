package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Even spread: draws taken together are far apart, unlike independent uniform draws")
class EvenSpreadTest {

  @Test
  void eachDrawIsTheLastOneAGoldenRatioStepOnModuloOne() {
    EvenSpread draws = new EvenSpread(0.9);
    assertThat(draws.getAsDouble()).isEqualTo(0.9);
    assertThat(draws.getAsDouble()).isCloseTo(0.9 + 0.6180339887 - 1, offset(1e-9));
    assertThatThrownBy(() -> new EvenSpread(1.0)).hasMessageContaining("start must be in [0, 1)");
    assertThatThrownBy(() -> new EvenSpread(-0.1)).hasMessageContaining("start must be in [0, 1)");
  }

  @Test
  void anyNDrawsAreAtLeastFourTenthsOfOneNthApart() {
    // Uniform draws would put the closest two of n about 1/n² apart; here no two of the first n
    // are closer than 0.4/n (0.44/n is the three-distance theorem's bound for the golden ratio).
    for (double start : new double[] {0, 0.25, 0.5, 0.999}) {
      EvenSpread draws = new EvenSpread(start);
      double[] taken = new double[300];
      for (int n = 0; n < taken.length; n++) {
        taken[n] = draws.getAsDouble();
        assertThat(taken[n]).isGreaterThanOrEqualTo(0).isLessThan(1);
        if (n > 0) {
          assertThat(closest(Arrays.copyOf(taken, n + 1))).as("closest of the first %d draws from %s", n + 1, start)
              .isGreaterThan(0.4 / (n + 1));
        }
      }
    }
  }

  /** The smallest distance between two of {@code points}, around the circle [0, 1). */
  private static double closest(double[] points) {
    double[] sorted = points.clone();
    Arrays.sort(sorted);
    double min = 1 - sorted[sorted.length - 1] + sorted[0];
    for (int i = 1; i < sorted.length; i++) {
      min = Math.min(min, sorted[i] - sorted[i - 1]);
    }
    return min;
  }
}
