package io.meshfed.simcluster.store;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/** A {@link ClusterStore} served by the mock server on a loopback port, and a client for it. */
record ServedStore(ClusterStore store, KubernetesMockServer server, KubernetesClient client) implements AutoCloseable {

  static ServedStore start(ClusterStore store) {
    MockWebServer web = new MockWebServer();
    web.setHttp2ClearTextEnabled(false);
    KubernetesMockServer server = new KubernetesMockServer(new Context(), web, new HashMap<>(), store, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.getPort())
        .withRequestRetryBackoffLimit(0).build();
    return new ServedStore(store, server, new KubernetesClientBuilder().withConfig(config).build());
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
