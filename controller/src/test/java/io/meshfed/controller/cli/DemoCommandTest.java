package io.meshfed.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  @DisplayName("`meshfed demo` says where the mesh demo is (./meshfed demo in a checkout) and changes nothing")
  void pointsAtTheCheckoutDemo() {
    CliRunner.Result r = new CliRunner(Map.of()).run("demo");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("./meshfed demo").contains("etcd-server").contains("meshfed demo --pki");
  }
}
