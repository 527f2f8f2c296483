package io.meshfed.controller.clustermesh;

import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.store.EtcdAuth;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data of a member's {@code kube-system/cilium-clustermesh} Secret, which Cilium mounts at
 * {@code /var/lib/cilium/clustermesh/} (spec 4.4): one etcd client config per OTHER member, named
 * after it (a file is a cluster config iff it contains {@code endpoints:}, and its name is the
 * remote cluster's name), all pointing at the mesh etcd with this member's own etcd client
 * certificate, plus that certificate, its key and the roots of etcd's server certificate.
 */
public final class ClusterMeshSecret {
  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "cilium-clustermesh";
  public static final String MOUNT = "/var/lib/cilium/clustermesh/";
  public static final String CA_FILE = "meshfed-etcd-client-ca.crt";
  public static final String CERT_FILE = "meshfed-etcd-client.crt";
  public static final String KEY_FILE = "meshfed-etcd-client.key";

  private ClusterMeshSecret() {}

  /**
   * @param self the member whose Secret this is (never listed as its own remote)
   * @param members every member of the mesh
   * @param etcdEndpoints the etcd URLs members' agents use
   */
  public static Map<String, byte[]> render(String self, List<String> members, List<String> etcdEndpoints, TrustBundle etcdTrust,
      String clientCertPem, String clientKeyPem) {
    Map<String, byte[]> data = new TreeMap<>();
    String config = etcdConfig(etcdEndpoints);
    for (String m : members) {
      if (!m.equals(self)) {
        data.put(m, config.getBytes(StandardCharsets.UTF_8));
      }
    }
    data.put(CA_FILE, etcdTrust.toPem().getBytes(StandardCharsets.US_ASCII));
    data.put(CERT_FILE, clientCertPem.getBytes(StandardCharsets.US_ASCII));
    data.put(KEY_FILE, clientKeyPem.getBytes(StandardCharsets.US_ASCII));
    return data;
  }

  /**
   * The data for a member whose agents read through its etcd gRPC proxy: every remote's config
   * names the proxy's in-cluster URL as the only endpoint and carries {@code username:} and
   * {@code password:} (etcd's client YAML config embeds clientv3.Config, whose JSON tags include
   * both; Cilium loads these files with it), because the proxy does not forward the certificate
   * identity. The CA file holds the mesh roots, which the proxy's serving certificate chains to.
   * The agents still present their certificate: the proxy requires one that chains to the mesh.
   *
   * @param password the member etcd user's password (a credential: it goes only into this Secret)
   */
  public static Map<String, byte[]> renderProxied(String self, List<String> members, EtcdProxyName proxy, TrustBundle meshBundle,
      String clientCertPem, String clientKeyPem, String password) {
    Map<String, byte[]> data = render(self, members, List.of(proxy.serviceUrl()), meshBundle, clientCertPem, clientKeyPem);
    byte[] config = (etcdConfig(List.of(proxy.serviceUrl())) + "username: " + EtcdAuth.memberUser(self) + "\n"
        + "password: " + password + "\n").getBytes(StandardCharsets.UTF_8);
    for (String m : members) {
      if (!m.equals(self)) {
        data.put(m, config);
      }
    }
    return data;
  }

  /** The etcd client config YAML of spec 4.5. */
  static String etcdConfig(List<String> endpoints) {
    StringBuilder sb = new StringBuilder("endpoints:\n");
    for (String e : endpoints) {
      sb.append("- ").append(e).append('\n');
    }
    sb.append("trusted-ca-file: ").append(MOUNT).append(CA_FILE).append('\n');
    sb.append("cert-file: ").append(MOUNT).append(CERT_FILE).append('\n');
    sb.append("key-file: ").append(MOUNT).append(KEY_FILE).append('\n');
    return sb.toString();
  }
}
