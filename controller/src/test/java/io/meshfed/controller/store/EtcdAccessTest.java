package io.meshfed.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.meshfed.controller.testing.TestMesh;
import io.meshfed.testkit.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EtcdAccessTest {
  @TempDir static Path tmp;
  static TestMesh mesh;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = TestMesh.create(tmp.resolve("mesh"), "test");
    return mesh.etcdTls();
  });

  @Test
  @DisplayName("jetcd over mTLS on BCJSSE: a client certificate from the mesh root reads and writes etcd")
  void mutualTlsRoundTrip() throws Exception {
    EtcdAccess access = new EtcdAccess(etcd.endpoints(), mesh.etcdRoot, mesh.bundle());
    assertThat(access.user()).isEqualTo("root");
    try (Client client = access.connect()) {
      ByteSequence key = ByteSequence.from("probe", StandardCharsets.UTF_8);
      client.getKVClient().put(key, ByteSequence.from("v", StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
      assertThat(client.getKVClient().get(key).get(20, TimeUnit.SECONDS).getKvs().get(0).getValue().toString(StandardCharsets.UTF_8)).isEqualTo("v");
    }
  }

  @Test
  @DisplayName("plain-text or malformed etcd endpoints are refused, naming the field")
  void plainTextRefused() {
    assertThatThrownBy(() -> new EtcdAccess(List.of("http://127.0.0.1:2379"), mesh.etcdRoot, mesh.bundle()))
        .isInstanceOf(StoreException.class).hasMessageStartingWith("etcd.endpoints: ").hasMessageContaining("mTLS");
    assertThatThrownBy(() -> new EtcdAccess(List.of(), mesh.etcdRoot, mesh.bundle())).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> new EtcdAccess(List.of("https://nohost"), mesh.etcdRoot, mesh.bundle())).isInstanceOf(StoreException.class);
  }
}
