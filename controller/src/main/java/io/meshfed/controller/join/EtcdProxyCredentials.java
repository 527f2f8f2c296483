package io.meshfed.controller.join;

import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.CiliumSecrets;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.runtime.CaSigner;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What join issues for a member whose Cilium agents read the mesh etcd through an etcd gRPC proxy
 * in the member, all in memory:
 *
 * <ul>
 *   <li>a random password for etcd user {@code member-<cluster>}: etcd's proxy does not forward
 *       the agents' certificate identity, but it does forward the auth token an etcd client gets
 *       for a user name and password, so that is how the agents authenticate through it;
 *   <li>the proxy's upstream client certificate, with no CN: etcd's proxy refuses a certificate
 *       with a CN (the etcd server would take the proxy for that user), and a CN-less certificate
 *       is no etcd user, so it grants nothing by itself: every read needs the agents' password;
 *   <li>the proxy's serving certificate for its Service, from the mesh root, so the agents of a
 *       proxied member trust the mesh root bundle for it.
 * </ul>
 *
 * @param password the etcd password (a credential: never logged, stored only sealed)
 */
public record EtcdProxyCredentials(EtcdProxyName name, String password, CertifiedKey upstream, CertifiedKey server) {
  /** 32 random bytes, hex: well above any guessing, and plain ASCII for a YAML value. */
  private static final int PASSWORD_BYTES = 32;

  /** Issues the password and both certificates for the proxy called {@code name}. */
  public static EtcdProxyCredentials issue(CaSigner signer, EtcdProxyName name) {
    byte[] pw = new byte[PASSWORD_BYTES];
    FipsRandom.get().nextBytes(pw);
    CertifiedKey upstream = signer.rootLeaf(LeafSpec.anonymousClient());
    CertifiedKey server = signer.rootLeaf(LeafSpec.server(name.dnsNames(), List.of()));
    return new EtcdProxyCredentials(name, HexFormat.of().formatHex(pw), upstream, server);
  }

  /** Hex serials of both certificates (revoked with the member's others on leave). */
  public List<String> serials() {
    return List.of(upstream.certificate().getSerialNumber().toString(16), server.certificate().getSerialNumber().toString(16));
  }

  /** The upstream Secret's data: {@code ca.crt} = the mesh etcd's server roots, the CN-less client certificate and key. */
  public Map<String, byte[]> upstreamSecret(TrustBundle etcdTrust) {
    return CiliumSecrets.tls(upstream, etcdTrust);
  }

  /**
   * The server Secret's data: {@code ca.crt} = the mesh roots, which the agents' client certificate
   * (CN {@code member-<cluster>}, from the mesh root) chains to, and the serving certificate and key.
   */
  public Map<String, byte[]> serverSecret(TrustBundle meshBundle) {
    return CiliumSecrets.tls(server, meshBundle);
  }

  @Override
  public String toString() {
    return "EtcdProxyCredentials[name=" + name + ", password=<redacted>]";
  }
}
