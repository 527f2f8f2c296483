package io.meshfed.simcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ControlCommandsTest {

  private final ControlCommands commands = new ControlCommands(List.of(
      new SimulatedCluster(new ClusterSpec("a", 1, 0)), new SimulatedCluster(new ClusterSpec("b", 2, 0))));

  @Test
  @DisplayName("status lists every simulated cluster; stop of one that is down is a no-op that succeeds")
  void statusAndIdempotentStop() {
    assertThat(commands.execute("status")).isEqualTo("ok status a=down b=down");
    assertThat(commands.execute("  stop   a ")).isEqualTo("ok stop a");
  }

  @Test
  @DisplayName("expire-tokens answers how many ServiceAccount tokens were still live")
  void expireTokens() {
    assertThat(commands.execute("expire-tokens a")).isEqualTo("ok expire-tokens a 0");
    assertThat(commands.execute("expire-tokens")).isEqualTo("error expire-tokens: expected exactly one simulated"
        + " cluster name");
  }

  @Test
  @DisplayName("bad commands get one 'error' line naming the problem; blank lines get no reply")
  void errors() {
    assertThat(commands.execute("")).isNull();
    assertThat(commands.execute("reboot a")).startsWith("error unknown command 'reboot'");
    assertThat(commands.execute("stop c")).isEqualTo("error stop: unknown simulated cluster 'c' (known: a, b)");
    assertThat(commands.execute("start")).isEqualTo("error start: expected exactly one simulated cluster name");
  }
}
