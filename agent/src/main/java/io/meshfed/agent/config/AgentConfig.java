package io.meshfed.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's checked configuration (see {@link AgentFlags} for the flags behind each field).
 *
 * @param controllerHost host name or IP of the controller's gRPC endpoint; its certificate must name it
 * @param controllerPort its port
 * @param certDir folder with {@code ca.crt}, {@code tls.crt}, {@code tls.key} (Secret meshfed-system/meshfed-agent-tls)
 * @param clusterName when given, the cluster the certificate must be for (a cross-check; identity is the certificate's CN)
 * @param kubeconfig a kubeconfig to use instead of the pod's ServiceAccount (tests, running outside the cluster)
 * @param interval seconds between reports until the controller sends other Settings
 * @param etcdEndpoints etcd URLs to probe instead of those in Secret kube-system/cilium-clustermesh
 * @param etcdFiles etcd client certificate files to use instead of those in that Secret
 */
public record AgentConfig(
    String controllerHost,
    int controllerPort,
    Path certDir,
    Optional<String> clusterName,
    Optional<Path> kubeconfig,
    Duration interval,
    List<String> etcdEndpoints,
    Optional<EtcdFiles> etcdFiles) {

  public AgentConfig {
    Objects.requireNonNull(controllerHost, "controllerHost");
    Objects.requireNonNull(certDir, "certDir");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(interval, "interval");
    etcdEndpoints = List.copyOf(etcdEndpoints);
    Objects.requireNonNull(etcdFiles, "etcdFiles");
  }

  /** {@code host:port} as given, for logs. */
  public String controller() {
    return (controllerHost.contains(":") ? "[" + controllerHost + "]" : controllerHost) + ":" + controllerPort;
  }

  /**
   * The etcd client certificate, its key and the CA that etcd's server certificate chains to, as
   * mounted files (PEM).
   */
  public record EtcdFiles(Path ca, Path cert, Path key) {
    public EtcdFiles {
      Objects.requireNonNull(ca, "ca");
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
    }
  }
}
