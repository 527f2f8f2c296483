package io.meshfed.controller.clusters;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.certs.SecretBox;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.controller.member.MemberTokens;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.SealedSecrets;
import io.meshfed.controller.store.Versioned;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every member's ServiceAccount token fresh: when less than a third of its life is left,
 * the controller asks the member for a new one with the token it still holds (the member RBAC
 * allows exactly that) and stores it sealed. A member that cannot be reached is logged and tried
 * again next round; it never holds up the others.
 */
public final class CredentialRenewer {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialRenewer.class);

  private final MeshStore store;
  private final SecretBox secrets;
  private final Clock clock;
  private final Duration ttl;

  public CredentialRenewer(MeshStore store, SecretBox secrets, Clock clock, Duration ttl) {
    this.store = store;
    this.secrets = secrets;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** Renews what is due; returns how many were renewed. */
  public int renewDue() {
    int renewed = 0;
    for (ClusterRecord c : store.clusters()) {
      if (c.state() != ClusterRecord.State.JOINED) {
        continue;
      }
      try {
        MemberCredentials creds = new SealedSecrets(secrets).credentials(c);
        if (!MemberTokens.needsRenewal(creds, clock)) {
          continue;
        }
        MemberCredentials fresh;
        try (KubernetesClient member = MemberConnection.fromCredentials(creds)) {
          fresh = new MemberTokens(c.name(), clock).renew(member, creds, ttl);
        }
        Versioned<ClusterRecord> current = store.cluster(c.name()).orElse(null);
        if (current == null) {
          continue; // left meanwhile
        }
        store.updateCluster(current, current.value().withCredentials(new SealedSecrets(secrets).sealCredentials(c.name(), fresh), fresh.expiresAt()));
        LOG.info("cluster={} op=credentials.renew expiresAt={}", c.name(), fresh.expiresAt());
        renewed++;
      } catch (RuntimeException e) {
        LOG.warn("cluster={} op=credentials.renew failed=\"{}\" retry=next-round", c.name(), e.getMessage());
      }
    }
    return renewed;
  }
}
