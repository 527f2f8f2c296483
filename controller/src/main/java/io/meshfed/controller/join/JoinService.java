package io.meshfed.controller.join;

import io.meshfed.api.cluster.Finding;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.CiliumSecrets;
import io.meshfed.certs.Pem;
import io.meshfed.certs.SecretBox;
import io.meshfed.controller.clusters.ClusterView;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.store.SealedSecrets;
import io.meshfed.controller.http.ApiException;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.certs.LeafSpec;
import io.meshfed.controller.runtime.CaSigner;
import io.meshfed.controller.runtime.EtcdAdmin;
import io.meshfed.controller.store.EtcdAuth;
import io.meshfed.controller.runtime.FaultInjection;
import io.meshfed.controller.store.ClusterRecord;
import io.meshfed.controller.store.MeshRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.RevocationRecord;
import io.meshfed.controller.store.StoreException;
import io.meshfed.controller.store.TokenRecord;
import io.meshfed.controller.store.Versioned;
import io.meshfed.controller.tokens.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of join. Order is chosen so a failure at any point leaves nothing behind:
 * certificates are issued in memory first; one transaction then takes name, ID and uid, spends the
 * token and records the cluster as JOINING (with the serials it will hand out); then the member's
 * Secrets are written; then the record becomes JOINED. A failure in between undoes the record
 * (revoking the serials) and gives the token its use back; a crash in between leaves a JOINING
 * record that {@link #rollbackAbandoned} removes once a leader sees that replica gone, or at the next join of that name.
 */
public final class JoinService {
  /** A JOINING record older than this belongs to a join that died. */
  public static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);
  public static final String AGENT_SECRET_NAMESPACE = "meshfed-system";
  public static final String AGENT_SECRET = "meshfed-agent-tls";
  private static final Logger LOG = LoggerFactory.getLogger(JoinService.class);

  private final MeshStore store;
  private final TokenService tokens;
  private final CaSigner signer;
  private final SecretBox secrets;
  private final MemberSecretWriter writer;
  private final Clock clock;
  private final String instanceId;
  private final EtcdAdmin etcdAdmin;
  private final Runnable membershipChanged;

  public JoinService(MeshStore store, TokenService tokens, CaSigner signer, SecretBox secrets, MemberSecretWriter writer, Clock clock,
      String instanceId, EtcdAdmin etcdAdmin, Runnable membershipChanged) {
    this.store = store;
    this.tokens = tokens;
    this.signer = signer;
    this.secrets = secrets;
    this.writer = writer;
    this.clock = clock;
    this.instanceId = instanceId;
    this.etcdAdmin = etcdAdmin;
    this.membershipChanged = membershipChanged;
  }

  /** The outcome of a join. */
  public record Joined(ClusterView cluster, String agentSecret, List<String> nextSteps) {}

  /** Pre-flight: authenticates the token (without spending it) and returns every finding. */
  public List<Finding> preflight(JoinRequest req, String bearer) {
    tokens.authenticate(bearer, req.clusterName());
    MeshRecord mesh = mesh();
    return JoinValidator.validate(req, mesh, liveMembers(req.clusterName()));
  }

  public Joined join(JoinRequest req, String bearer) {
    Versioned<TokenRecord> token = tokens.authenticate(bearer, req.clusterName());
    MeshRecord mesh = mesh();
    List<Finding> findings = JoinValidator.validate(req, mesh, liveMembers(req.clusterName()));
    if (!findings.isEmpty()) {
      throw new PreflightFailed(findings);
    }
    if (req.credentials() == null) {
      throw ApiException.badRequest("credentials", "the member ServiceAccount credentials are required for a join");
    }
    MemberCredentials creds;
    try {
      creds = MemberCredentials.fromJson(req.credentials());
    } catch (RuntimeException e) {
      throw ApiException.badRequest("credentials", "unreadable: " + e.getMessage());
    }
    String name = req.clusterName();
    CertifiedKey intermediate = signer.intermediateFor(name);
    CertifiedKey agent = signer.clientLeaf(intermediate, "agent." + name);
    // The member's Cilium agents read the mesh etcd as user member-<name> (certificate CN).
    CertifiedKey etcdClient = signer.rootLeaf(LeafSpec.client(EtcdAuth.memberUser(name)));
    List<String> serials = new ArrayList<>(List.of(intermediate.certificate().getSerialNumber().toString(16),
        agent.certificate().getSerialNumber().toString(16), etcdClient.certificate().getSerialNumber().toString(16)));
    Optional<EtcdProxyCredentials> proxy = Optional.ofNullable(req.etcdProxy())
        .map(p -> EtcdProxyCredentials.issue(signer, new EtcdProxyName(p)));
    proxy.ifPresent(p -> serials.addAll(p.serials()));
    SealedSecrets sealed = new SealedSecrets(secrets);
    Instant now = clock.instant();
    ClusterRecord record = new ClusterRecord(name, req.clusterId(), req.kubeSystemUid(), req.labels(), req.podCidrs(),
        ClusterRecord.State.JOINING, now, token.value().id(), sealed.sealCredentials(name, creds),
        creds.expiresAt(), Pem.encodeCertificate(intermediate.certificate()), serials,
        agent.certificate().getNotAfter().toInstant(), instanceId, Pem.encodeCertificates(etcdClient.certificateAndChain()),
        sealed.sealEtcdClientKey(name, Pem.encodePrivateKeyInMemory(etcdClient.privateKey())),
        req.etcdProxy(), proxy.map(p -> sealed.sealEtcdPassword(name, p.password())).orElse(null));
    try {
      store.registerJoining(record, token);
    } catch (StoreException e) {
      throw ApiException.conflict(e.field(), e.getMessage());
    }
    LOG.info("cluster={} op=join.register id={} token={} state=JOINING", name, req.clusterId(), token.value().id());
    FaultInjection.crashPoint("join.after-register");
    try {
      writer.update(name, creds, AGENT_SECRET_NAMESPACE, AGENT_SECRET, CiliumSecrets.tls(agent, signer.bundle()));
      boolean wroteCa = writer.updateIfEmpty(creds, "kube-system", "cilium-ca", CiliumSecrets.ciliumCa(intermediate));
      LOG.info("cluster={} op=join.secrets agentSecret={}/{} ciliumCa={}", name, AGENT_SECRET_NAMESPACE, AGENT_SECRET, wroteCa ? "written" : "kept existing");
      if (proxy.isPresent()) {
        EtcdProxyCredentials p = proxy.get();
        writer.update(name, creds, EtcdProxyName.NAMESPACE, p.name().upstreamSecret(), p.upstreamSecret(etcdAdmin.etcdTrust()));
        writer.update(name, creds, EtcdProxyName.NAMESPACE, p.name().serverSecret(), p.serverSecret(signer.bundle()));
        LOG.info("cluster={} op=join.etcd-proxy-secrets upstream={}/{} server={}/{}", name, EtcdProxyName.NAMESPACE,
            p.name().upstreamSecret(), EtcdProxyName.NAMESPACE, p.name().serverSecret());
        etcdAdmin.withAuth(auth -> auth.ensureMemberUser(name, p.password()));
      } else {
        etcdAdmin.withAuth(auth -> auth.ensureMemberUser(name));
      }
      LOG.info("cluster={} op=join.etcd-user user={} password={}", name, EtcdAuth.memberUser(name), proxy.isPresent() ? "set" : "none");
    } catch (RuntimeException e) {
      LOG.warn("cluster={} op=join.secrets failed={} rollingBack=true", name, e.getMessage());
      rollback(name, "join failed: " + e.getMessage());
      throw new ApiException(502, "MemberWriteFailed", "member", "cannot write certificates into the member: " + e.getMessage()
          + "; the registration was rolled back and the token keeps its use");
    }
    FaultInjection.crashPoint("join.after-secrets");
    Versioned<ClusterRecord> joining = store.cluster(name).orElseThrow(() -> new ApiException(409, "Conflict", "cluster-name", "registration vanished during join"));
    ClusterRecord joined = joining.value().joined(record.intermediatePem(), serials, record.certificateExpiry());
    store.updateCluster(joining, joined);
    LOG.info("cluster={} op=join.done state=JOINED", name);
    FaultInjection.crashPoint("join.after-joined");
    membershipChanged.run();
    return new Joined(ClusterView.of(joined), AGENT_SECRET_NAMESPACE + "/" + AGENT_SECRET,
        nextSteps(name, proxy.map(EtcdProxyCredentials::name)));
  }

  /** What became of a join, as its CLI learns after losing the answer: done, still under way, or not there. */
  public record Outcome(String state, Joined joined) {}

  /**
   * The outcome of the join of {@code clusterName} made with {@code bearer}: {@code JOINED} (with
   * the answer the join would have given), {@code JOINING} (under way, or dead and waiting for the
   * leader's rollback) or {@code NONE} (never registered, or rolled back; the member side is the
   * caller's to undo). A record of that name registered with another token is {@code NONE} too:
   * it is not this join's.
   */
  public Outcome outcome(String clusterName, String bearer) {
    Versioned<TokenRecord> token = tokens.authenticateSpent(bearer);
    Optional<Versioned<ClusterRecord>> record = store.cluster(clusterName)
        .filter(c -> token.value().id().equals(c.value().tokenId()));
    if (record.isEmpty()) {
      return new Outcome("NONE", null);
    }
    ClusterRecord c = record.get().value();
    if (c.state() != ClusterRecord.State.JOINED) {
      return new Outcome("JOINING", null);
    }
    return new Outcome("JOINED", new Joined(ClusterView.of(c), AGENT_SECRET_NAMESPACE + "/" + AGENT_SECRET,
        nextSteps(c.name(), Optional.ofNullable(c.etcdProxy()).map(EtcdProxyName::new))));
  }

  private List<String> nextSteps(String name, Optional<EtcdProxyName> proxy) {
    return List.of(
        "helm install meshfed-agent helm/meshfed-agent -n " + AGENT_SECRET_NAMESPACE + " --set clusterName=" + name
            + " --set controller.address=" + agentAddress + proxy.map(this::helmProxyValues).orElse("")
            + "   # the agent reports this cluster's health to the controller"
            + (proxy.isPresent() ? "; the etcd proxy serves this cluster's Cilium agents" : ""),
        "meshfed status --wait   # exits 0 once every member, this one included, is Healthy");
  }

  /** The agent chart values that turn on the proxy join prepared, under the name join gave it. */
  private String helmProxyValues(EtcdProxyName proxyName) {
    String fullname = proxyName.chartFullname();
    return " --set etcdProxy.enabled=true --set 'etcdProxy.endpoints={" + String.join(",", etcdAdmin.endpoints()) + "}'"
        + (EtcdProxyName.DEFAULT.equals(proxyName.value()) ? "" : " --set fullnameOverride=" + fullname);
  }

  private volatile String agentAddress = "<controller-host>:9443";

  /** Where agents reach the controller's gRPC port (HOST:PORT), for the next steps join prints. */
  public JoinService withAgentAddress(String hostAndPort) {
    this.agentAddress = hostAndPort;
    return this;
  }

  /** Removes a JOINING record: revokes what it was issued, frees name/ID/uid, returns the token's use. */
  public void rollback(String name, String reason) {
    Optional<Versioned<ClusterRecord>> current = store.cluster(name);
    if (current.isEmpty() || current.get().value().state() != ClusterRecord.State.JOINING) {
      return;
    }
    ClusterRecord c = current.get().value();
    List<RevocationRecord> revocations = new ArrayList<>();
    for (String serial : c.issuedSerials()) {
      revocations.add(new RevocationRecord(serial, name, reason, clock.instant(), c.certificateExpiry()));
    }
    store.removeCluster(current.get(), revocations, List.of());
    try {
      etcdAdmin.withAuth(auth -> auth.removeMemberUser(name));
    } catch (RuntimeException e) {
      LOG.warn("cluster={} op=join.rollback etcdUser=\"{}\" (its certificate is revoked anyway)", name, e.getMessage());
    }
    if (c.tokenId() != null) {
      store.restoreTokenUse(c.tokenId());
    }
    LOG.info("cluster={} op=join.rollback reason=\"{}\" revoked={}", name, reason, c.issuedSerials().size());
  }

  /**
   * Rolls back joins that died: a JOINING record older than {@link #ABANDONED_AFTER}, or, when
   * {@code liveInstances} is given (the leader, when elected), one whose controller instance is not
   * among the live replicas (that replica died mid-join).
   */
  public int rollbackAbandoned(Set<String> liveInstances) {
    int n = 0;
    for (ClusterRecord c : store.clusters()) {
      if (c.state() != ClusterRecord.State.JOINING) {
        continue;
      }
      boolean stale = c.joinedAt().plus(ABANDONED_AFTER).isBefore(clock.instant());
      boolean orphanedHere = liveInstances != null && !liveInstances.contains(c.controllerInstance());
      if (stale || orphanedHere) {
        rollback(c.name(), "abandoned join (controller restarted or join timed out)");
        n++;
      }
    }
    return n;
  }

  /** Members that count for conflicts: every JOINED one, and JOINING ones still in progress. */
  private List<ClusterRecord> liveMembers(String joiningName) {
    List<ClusterRecord> live = new ArrayList<>();
    for (ClusterRecord c : store.clusters()) {
      boolean abandoned = c.state() == ClusterRecord.State.JOINING && c.joinedAt().plus(ABANDONED_AFTER).isBefore(clock.instant());
      if (abandoned && c.name().equals(joiningName)) {
        rollback(c.name(), "abandoned join replaced by a new join of the same name");
        continue;
      }
      if (!abandoned) {
        live.add(c);
      }
    }
    return live;
  }

  private MeshRecord mesh() {
    return store.mesh().orElseThrow(() -> new ApiException(503, "NotBootstrapped", "mesh", "the mesh is not bootstrapped"));
  }

  /** Pre-flight findings that stop a join; rendered as 422 with every finding. */
  public static final class PreflightFailed extends ApiException {
    private static final long serialVersionUID = 1L;
    private final transient List<Finding> findings;

    public PreflightFailed(List<Finding> findings) {
      super(422, "PreflightFailed", findings.get(0).field(), findings.size() + " pre-flight finding(s): " + findings.get(0).message()
          + (findings.size() > 1 ? " (and " + (findings.size() - 1) + " more)" : ""));
      this.findings = List.copyOf(findings);
    }

    public List<Finding> findings() {
      return findings;
    }
  }
}
