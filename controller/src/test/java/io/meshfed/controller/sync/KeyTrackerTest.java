package io.meshfed.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KeyTracker keeps exact key and object counts as objects change")
class KeyTrackerTest {

  @Test
  @DisplayName("replace, shrink to nothing, and remove keep size() and objects() equal to a recount")
  void countsFollowChanges() {
    KeyTracker t = new KeyTracker();
    assertThat(t.replace("ns/a", Set.of("k1", "k2"))).isEmpty();
    assertThat(t.replace("ns/b", Set.of("k3"))).isEmpty();
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.objects()).isEqualTo(2);

    assertThat(t.replace("ns/a", Set.of("k2", "k4"))).containsExactly("k1");
    assertThat(t.size()).isEqualTo(3);

    // An object that no longer writes anything (refused, or all its IPs taken) is not counted.
    assertThat(t.replace("ns/b", Set.of())).containsExactly("k3");
    assertThat(t.objects()).isEqualTo(1);
    assertThat(t.size()).isEqualTo(2);

    assertThat(t.remove("ns/a")).containsExactlyInAnyOrder("k2", "k4");
    assertThat(t.remove("ns/a")).isEmpty();
    assertThat(t.remove("ns/b")).isEmpty();
    assertThat(t.size()).isZero();
    assertThat(t.objects()).isZero();
    assertThat(t.allKeys()).isEmpty();
  }
}
