package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshfed.api.cluster.Finding;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the member's API server, one SelfSubjectAccessReview per access, what the client's identity
 * may do, and turns every access not granted into a finding.
 *
 * <p>Only {@code status.allowed == true} counts as allowed: a review without a status, or one
 * that fails, never does. Assuming "allowed" would let a join start with a kubeconfig that
 * cannot finish it.
 */
final class AccessReviewer {

  /** The finding's field: the rights belong to the identity in the kubeconfig. */
  static final String FIELD = "kubeconfig";

  private static final Logger LOG = LoggerFactory.getLogger(AccessReviewer.class);

  private final String cluster;

  AccessReviewer(String cluster) {
    this.cluster = cluster;
  }

  /**
   * One finding per access that is not granted, in the order asked. When the review API itself
   * fails, one finding says so and the rest is not asked (it would fail the same way).
   */
  List<Finding> missing(KubernetesClient client, List<ResourceAccess> required) {
    List<Finding> findings = new ArrayList<>();
    for (ResourceAccess access : required) {
      SelfSubjectAccessReview review;
      try {
        review = client.authorization().v1().selfSubjectAccessReview().create(
            new SelfSubjectAccessReviewBuilder().withNewSpec().withResourceAttributes(access.toAttributes()).endSpec()
                .build());
      } catch (KubernetesClientException e) {
        LOG.warn("cluster={} op=access-review access=\"{}\" result=error code={} error=\"{}\"",
            cluster, access.describe(), e.getCode(), KubernetesErrors.summary(e));
        findings.add(Finding.of(FIELD, "cannot have its rights checked: SelfSubjectAccessReview failed ("
            + KubernetesErrors.summary(e) + "); the rights needed are listed in docs/member-rbac.md"));
        return findings;
      }
      boolean allowed = review != null && review.getStatus() != null
          && Boolean.TRUE.equals(review.getStatus().getAllowed());
      if (!allowed) {
        LOG.debug("cluster={} op=access-review access=\"{}\" result=denied", cluster, access.describe());
        findings.add(Finding.of(FIELD, "lacks the right to " + access.describe()));
      }
    }
    LOG.info("cluster={} op=access-review checked={} denied={}", cluster, required.size(), findings.size());
    return findings;
  }
}
