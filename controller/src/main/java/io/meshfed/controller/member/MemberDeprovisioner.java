package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes from a member what join provisioned, with the user's (admin) kubeconfig: the objects of
 * {@link MemberObjects}, newest first, each only when it carries our label.
 *
 * <p>Best effort, because leave must make progress on a half-broken member: every step is tried
 * and reported, a failure does not stop the next one. Objects without our label are reported and
 * kept: Cilium's own {@code cilium-ca}, or a {@code cilium-clustermesh} someone else manages.
 * Deleting the ServiceAccount invalidates every token issued for it, so the controller's access
 * ends here even before the namespace is gone.
 */
public final class MemberDeprovisioner {

  private static final Logger LOG = LoggerFactory.getLogger(MemberDeprovisioner.class);

  private final String cluster;
  private final Optional<EtcdProxyName> proxy;

  /**
   * A deprovisioner for one member; it keeps no state between calls.
   *
   * @param cluster the name the member is known by (for logs)
   */
  public MemberDeprovisioner(String cluster) {
    this(cluster, Optional.empty());
  }

  /** As {@link #MemberDeprovisioner(String)}; with a proxy, its Role and Secrets go first. */
  public MemberDeprovisioner(String cluster, Optional<EtcdProxyName> proxy) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.proxy = Objects.requireNonNull(proxy, "proxy");
  }

  /**
   * Deletes every object join creates that carries our label, in reverse creation order.
   *
   * @param progress told each step before it runs
   * @return one result per object, in the order tried
   */
  public List<StepResult> deprovision(KubernetesClient adminClient, Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    List<DesiredObject> objects = new ArrayList<>(MemberObjects.desired(proxy));
    Collections.reverse(objects);
    List<StepResult> results = new ArrayList<>();
    for (DesiredObject object : objects) {
      String step = "delete " + object.describe();
      progress.accept(step);
      StepResult result = deleteIfOurs(adminClient, object, step);
      results.add(result);
      if (result.ok()) {
        LOG.info("cluster={} op=deprovision step=\"{}\" result=ok message=\"{}\"", cluster, step, result.message());
      } else {
        LOG.warn("cluster={} op=deprovision step=\"{}\" result=error message=\"{}\"", cluster, step, result.message());
      }
    }
    return results;
  }

  private static StepResult deleteIfOurs(KubernetesClient client, DesiredObject object, String step) {
    try {
      HasMetadata current = client.resource(object.object()).get();
      if (current == null) {
        return new StepResult(step, true, "already absent");
      }
      if (!MeshfedLabels.isOurs(current)) {
        return new StepResult(step, true, "kept: not created by meshfed (no label " + MeshfedLabels.MANAGED_BY + "="
            + MeshfedLabels.MESHFED + ")");
      }
      client.resource(current).delete();
      return new StepResult(step, true, "deleted");
    } catch (RuntimeException e) {
      return new StepResult(step, false, KubernetesErrors.summary(e));
    }
  }
}
