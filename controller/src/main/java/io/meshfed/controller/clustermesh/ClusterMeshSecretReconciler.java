package io.meshfed.controller.clustermesh;

import io.meshfed.certs.SecretBox;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.join.MemberSecretWriter;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.controller.runtime.EtcdAdmin;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.SealedSecrets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every member's {@code cilium-clustermesh} Secret equal to the mesh: run after each join and
 * leave and periodically. A member joined with {@code --etcd-proxy} gets configs that point at its
 * proxy with its etcd password; every other member's configs point at the mesh etcd. One member that cannot be reached is logged and retried next round; the
 * others are still written.
 */
public final class ClusterMeshSecretReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMeshSecretReconciler.class);

  private final MeshStore store;
  private final SecretBox secrets;
  private final MemberSecretWriter writer;
  private final EtcdAdmin etcd;
  private final TrustBundle meshBundle;

  /** @param meshBundle the mesh roots: what a proxied member's agents trust for its proxy's serving certificate */
  public ClusterMeshSecretReconciler(MeshStore store, SecretBox secrets, MemberSecretWriter writer, EtcdAdmin etcd, TrustBundle meshBundle) {
    this.store = store;
    this.secrets = secrets;
    this.writer = writer;
    this.etcd = etcd;
    this.meshBundle = meshBundle;
  }

  /** Writes every JOINED member's Secret; returns how many were written. */
  public int reconcileAll() {
    List<ClusterRecord> joined = store.clusters().stream().filter(c -> c.state() == ClusterRecord.State.JOINED).toList();
    List<String> names = joined.stream().map(ClusterRecord::name).toList();
    int written = 0;
    for (ClusterRecord c : joined) {
      if (c.etcdClientPem() == null) {
        continue;
      }
      try {
        SealedSecrets sealed = new SealedSecrets(secrets);
        MemberCredentials creds = sealed.credentials(c);
        String key = sealed.etcdClientKeyPem(c);
        writer.update(c.name(), creds, ClusterMeshSecret.NAMESPACE, ClusterMeshSecret.NAME, c.proxied()
            ? ClusterMeshSecret.renderProxied(c.name(), names, new EtcdProxyName(c.etcdProxy()), meshBundle, c.etcdClientPem(), key,
                sealed.etcdPassword(c))
            : ClusterMeshSecret.render(c.name(), names, etcd.endpoints(), etcd.etcdTrust(), c.etcdClientPem(), key));
        written++;
      } catch (RuntimeException e) {
        LOG.warn("cluster={} op=clustermesh.secret failed=\"{}\" retry=next-round", c.name(), e.getMessage());
      }
    }
    LOG.info("op=clustermesh.secret members={} written={}", names.size(), written);
    return written;
  }
}
