package io.meshfed.controller.clusters;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.certs.SecretBox;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.http.ApiException;
import io.meshfed.controller.join.JoinService;
import io.meshfed.controller.join.MemberSecretWriter;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.controller.runtime.EtcdAdmin;
import io.meshfed.controller.runtime.RevocationList;
import io.meshfed.controller.store.EtcdAuth;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.RevocationRecord;
import io.meshfed.controller.store.Versioned;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of leave: empties the certificate Secrets in the member (the agent's and,
 * for a proxied member, the etcd proxy's; best effort, with the member's own ServiceAccount), then in one transaction revokes every certificate issued for
 * the cluster, frees its name, ID and uid and deletes its synced Cilium data (cluster config
 * first). Removing the ServiceAccount and RBAC needs the member's admin kubeconfig and is done by
 * the CLI ({@code meshfed leave --kubeconfig}).
 */
public final class LeaveService {
  private static final Logger LOG = LoggerFactory.getLogger(LeaveService.class);

  private final MeshStore store;
  private final SecretBox secrets;
  private final MemberSecretWriter writer;
  private final RevocationList revocations;
  private final Clock clock;
  private final EtcdAdmin etcdAdmin;
  private final Runnable membershipChanged;
  private final java.util.function.Consumer<String> stopSync;
  private final java.util.function.Consumer<String> removeDataLater;

  /** @param stopSync stops the member's sync session, so nothing is re-written after its data is deleted */
  public LeaveService(MeshStore store, SecretBox secrets, MemberSecretWriter writer, RevocationList revocations, Clock clock,
      EtcdAdmin etcdAdmin, Runnable membershipChanged, java.util.function.Consumer<String> stopSync,
      java.util.function.Consumer<String> removeDataLater) {
    this.stopSync = stopSync;
    this.removeDataLater = removeDataLater;
    this.store = store;
    this.secrets = secrets;
    this.writer = writer;
    this.revocations = revocations;
    this.clock = clock;
    this.etcdAdmin = etcdAdmin;
    this.membershipChanged = membershipChanged;
  }

  /** One reported step. */
  public record Step(String step, boolean ok, String message) {}

  public List<Step> leave(String name, boolean dryRun) {
    ClusterName.parse(name);
    Versioned<ClusterRecord> current = store.cluster(name)
        .orElseThrow(() -> ApiException.notFound("cluster", "\"" + name + "\" is not a member of the mesh"));
    ClusterRecord c = current.value();
    ClusterName cn = new ClusterName(name);
    List<String> prefixes = CacheKeys.clusterDataPrefixes(cn);
    List<Step> steps = new ArrayList<>();
    List<String> memberSecrets = new ArrayList<>(List.of(JoinService.AGENT_SECRET));
    if (c.proxied()) {
      EtcdProxyName proxy = new EtcdProxyName(c.etcdProxy());
      memberSecrets.add(proxy.upstreamSecret());
      memberSecrets.add(proxy.serverSecret());
    }
    if (dryRun) {
      for (String secret : memberSecrets) {
        steps.add(new Step("empty Secret " + JoinService.AGENT_SECRET_NAMESPACE + "/" + secret + " in the member", true, "would run"));
      }
      steps.add(new Step("revoke " + c.issuedSerials().size() + " certificate(s)", true, "would run: " + c.issuedSerials()));
      steps.add(new Step("delete etcd user " + EtcdAuth.memberUser(name), true, "would run"));
      steps.add(new Step("delete meshfed/clusters/" + name + ", its ID " + c.id() + " and uid indexes, "
          + CacheKeys.clusterConfig(cn) + " and " + prefixes, true, "would run"));
      return steps;
    }
    // First, so that no replica's policy rollout pushes to the member or restores what the prune
    // below deletes (a drift restore would otherwise undo it within milliseconds); the mark goes
    // with the record.
    store.markLeaving(name, clock.instant());
    // The agent's certificate and, for a proxied member, the proxy's certificates: emptied so the
    // keys do not linger in the member even when no one runs leave with the admin kubeconfig.
    for (String secret : memberSecrets) {
      String step = "empty Secret " + JoinService.AGENT_SECRET_NAMESPACE + "/" + secret + " in the member";
      try {
        MemberCredentials creds = new io.meshfed.controller.store.SealedSecrets(secrets).credentials(c);
        writer.update(name, creds, JoinService.AGENT_SECRET_NAMESPACE, secret, Map.of());
        steps.add(new Step(step, true, "done"));
      } catch (RuntimeException e) {
        steps.add(new Step(step, false, "skipped: " + e.getMessage() + " (the certificates are revoked anyway)"));
      }
    }
    stopSync.accept(name);
    List<RevocationRecord> revoked = new ArrayList<>();
    for (String serial : c.issuedSerials()) {
      revoked.add(new RevocationRecord(serial, name, "cluster left the mesh", clock.instant(), c.certificateExpiry()));
    }
    // Records, indexes, revocations and the cluster config in one transaction; the synced data
    // follows after KVStoreMesh's grace period, so agents disconnect from the cluster before they
    // would see thousands of deletions (spec 1.3).
    store.removeCluster(current, revoked, List.of(), List.of(CacheKeys.clusterConfig(cn), io.meshfed.controller.store.MeshKeys.leaving(name)));
    removeDataLater.accept(name);
    revocations.addAll(new HashSet<>(c.issuedSerials()));
    steps.add(new Step("revoke " + revoked.size() + " certificate(s)", true, "done"));
    steps.add(new Step("delete the cluster's records and cluster config from etcd", true, "done"));
    steps.add(new Step("delete its synced Cilium data (" + prefixes.size() + " prefixes) after the agents' grace period", true, "scheduled"));
    try {
      etcdAdmin.withAuth(auth -> auth.removeMemberUser(name));
      steps.add(new Step("delete etcd user " + EtcdAuth.memberUser(name), true, c.proxied() ? "done (its password no longer authenticates)" : "done"));
    } catch (RuntimeException e) {
      steps.add(new Step("delete etcd user " + EtcdAuth.memberUser(name), false, e.getMessage() + " (its certificate is revoked anyway)"));
    }
    membershipChanged.run();
    LOG.info("cluster={} op=leave revoked={} state=removed", name, revoked.size());
    return steps;
  }
}
