package io.meshfed.controller.runtime;

import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.EtcdAuth;
import io.meshfed.controller.store.MeshStore;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * etcd user management for the controller. Only etcd's root role may add or delete users, and the
 * controller holds the mesh root key, which could mint a {@code root} certificate at any time; so
 * instead of running as root all along (or sharing one user among all members, which would make
 * leave unable to cut one member off), it mints a root client certificate in memory, valid ten
 * minutes, for exactly the user change at hand, and uses its own least-privilege user for
 * everything else.
 */
public final class EtcdAdmin {
  private static final Duration ADMIN_CERT_LIFE = Duration.ofMinutes(10);

  private final CaSigner signer;
  private final List<String> endpoints;
  private final TrustBundle etcdTrust;

  public EtcdAdmin(CaSigner signer, List<String> endpoints, TrustBundle etcdTrust) {
    this.signer = signer;
    this.endpoints = endpoints;
    this.etcdTrust = etcdTrust;
  }

  public void withAuth(Consumer<EtcdAuth> action) {
    CertifiedKey root = signer.rootLeaf(LeafSpec.client("root").withValidity(ADMIN_CERT_LIFE));
    try (MeshStore asRoot = new MeshStore(new EtcdAccess(endpoints, root, etcdTrust).connect())) {
      action.accept(new EtcdAuth(asRoot.client()));
    }
  }

  /** Where members' agents reach etcd and which roots its server certificate chains to. */
  public List<String> endpoints() {
    return endpoints;
  }

  public TrustBundle etcdTrust() {
    return etcdTrust;
  }
}
