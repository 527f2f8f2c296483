package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshfed.api.cluster.Finding;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions a member for the controller with the user's (admin) kubeconfig: namespace
 * {@code meshfed-system}, the ServiceAccount {@code meshfed-controller}, the roles of
 * {@link MemberRbac} with their bindings, the named Secrets empty, and a first short-lived token.
 *
 * <ul>
 *   <li>{@link #plan} reads only: the output of {@code --dry-run}, and the pre-flight of
 *   {@link #provision}, which refuses before creating anything when the kubeconfig lacks a right
 *   or an object with one of our names exists without our label (we never take over foreign
 *   objects).</li>
 *   <li>Idempotent: objects with our label are left alone when up to date and updated in place
 *   otherwise, so re-running a join (after a failure, or to repair drift) converges.</li>
 *   <li>A step that fails undoes what this run created, in reverse order, then throws
 *   {@link MemberProvisioningException} naming the step. Updates of objects that were already
 *   ours are not undone: they only moved them towards what join wants.</li>
 * </ul>
 */
public final class MemberProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(MemberProvisioner.class);
  private static final String FOREIGN_RULE = "already exists without the label " + MeshfedLabels.MANAGED_BY + "="
      + MeshfedLabels.MESHFED + "; meshfed never takes over objects it did not create (remove or rename it, then"
      + " join again)";

  private final String cluster;
  private final AccessReviewer accessReviewer;
  private final MemberTokens tokens;
  private final Optional<EtcdProxyName> proxy;

  /**
   * A provisioner for one member; it keeps no state between calls.
   *
   * @param cluster the name the member is known by (for logs and messages)
   * @param clock   the time a token's lifetime is counted from
   */
  public MemberProvisioner(String cluster, Clock clock) {
    this(cluster, clock, Optional.empty());
  }

  /** As {@link #MemberProvisioner(String, Clock)}; with a proxy, also its Role and Secrets ({@link MemberObjects#desired(Optional)}). */
  public MemberProvisioner(String cluster, Clock clock, Optional<EtcdProxyName> proxy) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.accessReviewer = new AccessReviewer(cluster);
    this.tokens = new MemberTokens(cluster, clock);
    this.proxy = Objects.requireNonNull(proxy, "proxy");
  }

  /** Every object with the action provisioning would take, and why it would be refused; changes nothing. */
  public ProvisioningPlan plan(KubernetesClient client) {
    List<Finding> findings = new ArrayList<>(accessReviewer.missing(client, ProvisioningAccess.required(proxy)));
    List<PlannedObject> objects = new ArrayList<>();
    boolean reachable = true;
    for (DesiredObject desired : MemberObjects.desired(proxy)) {
      if (!reachable) {
        objects.add(planned(desired, PlannedObject.Action.UNKNOWN, "member API not reachable"));
        continue;
      }
      HasMetadata current;
      try {
        current = client.resource(desired.object()).get();
      } catch (KubernetesClientException e) {
        if (KubernetesErrors.isUnreachable(e)) {
          reachable = false;
          String server = MemberInspector.withoutTrailingSlash(String.valueOf(client.getMasterUrl()));
          findings.add(new Finding("member-api", server, "is not reachable: " + KubernetesErrors.summary(e)));
        } else {
          findings.add(Finding.of(desired.describe(), "cannot be read: " + KubernetesErrors.summary(e)));
        }
        objects.add(planned(desired, PlannedObject.Action.UNKNOWN, "cannot be read"));
        continue;
      }
      objects.add(decide(desired, current, findings));
    }
    ProvisioningPlan plan = new ProvisioningPlan(objects, findings);
    LOG.info("cluster={} op=provision-plan create={} update={} unchanged={} findings={}", cluster,
        count(plan, PlannedObject.Action.CREATE), count(plan, PlannedObject.Action.UPDATE),
        count(plan, PlannedObject.Action.UNCHANGED), findings.size());
    return plan;
  }

  /** {@link #provision(KubernetesClient, Duration, Consumer)} without progress reports. */
  public ProvisionedMember provision(KubernetesClient client, Duration tokenTtl) {
    return provision(client, tokenTtl, step -> { });
  }

  /**
   * Brings the member to what join wants and requests the controller's first token.
   *
   * @param client   a client with the user's kubeconfig ({@link MemberConnection#fromKubeconfig})
   * @param tokenTtl how long the first token lives (at least {@link MemberTokens#MIN_TTL})
   * @param progress told each step before it runs, e.g. {@code create ClusterRole meshfed-member}
   * @throws MemberProvisioningException when the pre-flight refuses (nothing changed) or a step
   *     fails (what this run created was deleted again)
   */
  public ProvisionedMember provision(KubernetesClient client, Duration tokenTtl, Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    if (tokenTtl == null || tokenTtl.compareTo(MemberTokens.MIN_TTL) < 0) {
      throw new IllegalArgumentException("tokenTtl must be at least " + MemberTokens.MIN_TTL.toMinutes()
          + " minutes (the API server's minimum), not " + tokenTtl);
    }
    progress.accept("pre-flight: rights of the kubeconfig and existing objects");
    ProvisioningPlan plan = plan(client);
    if (plan.refused()) {
      LOG.warn("cluster={} op=provision result=refused findings={}", cluster, plan.findings().size());
      throw new MemberProvisioningException("pre-flight", "cluster " + cluster + ": provisioning refused, nothing"
          + " was changed:\n" + plan.findings().stream().map(finding -> "  - " + finding.message())
          .collect(Collectors.joining("\n")), plan.findings(), List.of(), null);
    }

    List<DesiredObject> desired = MemberObjects.desired(proxy);
    List<DesiredObject> created = new ArrayList<>();
    String step = "start";
    try {
      for (int i = 0; i < desired.size(); i++) {
        PlannedObject planned = plan.objects().get(i);
        step = planned.describe();
        progress.accept(step);
        apply(client, desired.get(i), planned.action());
        if (planned.action() == PlannedObject.Action.CREATE) {
          created.add(desired.get(i));
        }
        LOG.info("cluster={} op=provision step=\"{}\" result=ok", cluster, step);
      }
      step = "request a token for ServiceAccount " + MemberRbac.NAMESPACE + "/" + MemberRbac.SERVICE_ACCOUNT
          + " (ttl " + tokenTtl + ")";
      progress.accept(step);
      MemberTokens.TokenGrant grant = tokens.request(client, tokenTtl);
      step = "read the member API's address and CA from the kubeconfig";
      MemberCredentials credentials = new MemberCredentials(server(client.getConfiguration()),
          certificateAuthorityData(client.getConfiguration()), grant.token(), grant.issuedAt(), grant.expiresAt());
      LOG.info("cluster={} op=provision result=ok created={} expiresAt={}", cluster, created.size(),
          grant.expiresAt());
      return new ProvisionedMember(credentials, plan.objects());
    } catch (RuntimeException e) {
      String failure = KubernetesErrors.summary(e);
      LOG.warn("cluster={} op=provision step=\"{}\" result=error error=\"{}\"", cluster, step, failure);
      List<String> leftovers = rollBack(client, created, progress);
      String rollback = created.isEmpty() ? "nothing had been created"
          : leftovers.isEmpty() ? "rolled back: deleted the " + created.size() + " object(s) this run created"
          : "rollback incomplete, still in the member (labelled, a new join or leave removes them): " + leftovers;
      throw new MemberProvisioningException(step, "cluster " + cluster + ": provisioning failed at step '" + step
          + "': " + failure + "; " + rollback, List.of(), leftovers, e);
    }
  }

  private PlannedObject decide(DesiredObject desired, HasMetadata current, List<Finding> findings) {
    if (current == null) {
      return planned(desired, PlannedObject.Action.CREATE, "");
    }
    if (!MeshfedLabels.isOurs(current)) {
      if (desired.keepIfForeign()) {
        return planned(desired, PlannedObject.Action.UNCHANGED, "exists, not created by meshfed: kept as it is");
      }
      findings.add(Finding.of(desired.describe(), FOREIGN_RULE));
      return planned(desired, PlannedObject.Action.CONFLICT, "not created by meshfed");
    }
    var immutable = desired.immutableDifference(current);
    if (immutable.isPresent()) {
      findings.add(Finding.of(desired.describe(), immutable.get()));
      return planned(desired, PlannedObject.Action.CONFLICT, "cannot be updated in place");
    }
    return desired.isUpToDate(current)
        ? planned(desired, PlannedObject.Action.UNCHANGED, "")
        : planned(desired, PlannedObject.Action.UPDATE, "");
  }

  private static void apply(KubernetesClient client, DesiredObject desired, PlannedObject.Action action) {
    switch (action) {
      case CREATE -> client.resource(desired.object()).create();
      case UPDATE -> {
        // Read again: the update must carry the current resourceVersion, and ownership is re-checked.
        HasMetadata current = client.resource(desired.object()).get();
        if (current == null || !MeshfedLabels.isOurs(current)) {
          throw new IllegalStateException(desired.describe() + " changed since the pre-flight: it "
              + (current == null ? "was deleted" : "lost the label " + MeshfedLabels.MANAGED_BY));
        }
        client.resource(desired.updatedFrom(current)).update();
      }
      case UNCHANGED -> {
        // Nothing to do: ours and up to date, or Cilium's own CA.
      }
      default -> throw new IllegalStateException("plan has " + action + " for " + desired.describe());
    }
  }

  /** Deletes what this run created, newest first; returns what could not be deleted. */
  private List<String> rollBack(KubernetesClient client, List<DesiredObject> created, Consumer<String> progress) {
    List<String> leftovers = new ArrayList<>();
    for (int i = created.size() - 1; i >= 0; i--) {
      DesiredObject object = created.get(i);
      String step = "roll back: delete " + object.describe();
      progress.accept(step);
      try {
        client.resource(object.object()).delete();
        LOG.info("cluster={} op=provision-rollback step=\"{}\" result=ok", cluster, step);
      } catch (RuntimeException e) {
        LOG.warn("cluster={} op=provision-rollback step=\"{}\" result=error error=\"{}\"", cluster, step,
            KubernetesErrors.summary(e));
        leftovers.add(object.describe());
      }
    }
    return leftovers;
  }

  private static PlannedObject planned(DesiredObject desired, PlannedObject.Action action, String note) {
    return new PlannedObject(desired.kind(), desired.namespace(), desired.name(), action, note);
  }

  private static long count(ProvisioningPlan plan, PlannedObject.Action action) {
    return plan.objects().stream().filter(object -> object.action() == action).count();
  }

  private static String server(Config config) {
    return MemberInspector.withoutTrailingSlash(config.getMasterUrl());
  }

  /** The CA the kubeconfig trusts for the API server, as base64 of its PEM, or null when there is none. */
  private static String certificateAuthorityData(Config config) {
    if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
      return config.getCaCertData().strip();
    }
    if (config.getCaCertFile() != null && !config.getCaCertFile().isBlank()) {
      try {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the API server's CA file " + config.getCaCertFile() + ": " + e, e);
      }
    }
    return null;
  }
}
