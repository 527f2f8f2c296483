package io.meshfed.simcluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.meshfed.simcluster.auth.ClusterAuth;
import io.meshfed.simcluster.auth.UserSpec;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated cluster: a fabric8 KubernetesMockServer in CRUD mode on a loopback port, plain
 * http, that authenticates and authorizes requests like an API server with RBAC (see
 * {@link ClusterAuth}). It can be stopped (port closed: clients see connection refused, as with a cluster that
 * is down) and started again on the same port with the same data, because the store lives in
 * the dispatcher, which is kept, while the HTTP server is made anew.
 */
final class SimulatedCluster {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedCluster.class);
  /**
   * The mock web server logs every request at INFO through java.util.logging. Kept referenced:
   * JUL holds loggers weakly, and a collected logger forgets its level.
   */
  private static final java.util.logging.Logger MOCK_WEB_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_WEB_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final ClusterSpec spec;
  private final SimulatedClusterDispatcher dispatcher;
  private int port;
  private MockWebServer webServer;
  private KubernetesMockServer server;

  /** A simulated cluster with only the built-in admin user. */
  SimulatedCluster(ClusterSpec spec) {
    this(spec, List.of());
  }

  /** @param users the {@code --user}s, each of which gets its own token here */
  SimulatedCluster(ClusterSpec spec, List<UserSpec> users) {
    this.spec = spec;
    this.port = spec.port();
    this.dispatcher = new SimulatedClusterDispatcher(spec.name(), users, Clock.systemUTC());
  }

  String name() {
    return spec.name();
  }

  int id() {
    return spec.id();
  }

  /** The port; once started, the actual one even if 0 was asked for. */
  synchronized int port() {
    return port;
  }

  SimulatedClusterDispatcher dispatcher() {
    return dispatcher;
  }

  ClusterAuth auth() {
    return dispatcher.auth();
  }

  synchronized boolean isRunning() {
    return server != null;
  }

  /** Starts serving; idempotent. After the first start the same port is taken again. */
  synchronized void start() {
    if (server != null) {
      return;
    }
    MockWebServer web = new MockWebServer();
    // Plain HTTP/1.1: the JDK HttpClient offers an h2c upgrade, which the mock server handles
    // unreliably on large responses (see MockWebServer#setHttp2ClearTextEnabled).
    web.setHttp2ClearTextEnabled(false);
    KubernetesMockServer mock = new KubernetesMockServer(new Context(), web,
        new HashMap<>(), dispatcher, false);
    mock.init(InetAddress.getLoopbackAddress(), port);
    webServer = web;
    server = mock;
    port = mock.getPort();
    LOG.info("simulated cluster {} (id {}) serving on http://127.0.0.1:{}", spec.name(), spec.id(), port);
  }

  /** Stops serving and closes the port; the data stays. Idempotent. */
  synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.destroy();
    } finally {
      server = null;
      webServer = null;
    }
    LOG.info("simulated cluster {} stopped; port {} closed, data kept", spec.name(), port);
  }

  /**
   * Drops the requests the mock web server records for assertions. Nobody reads them here, and a
   * long run (informers, benchmarks) would otherwise keep every request body in memory.
   */
  synchronized void forgetRecordedRequests() {
    if (webServer != null) {
      webServer.reset();
    }
  }
}
