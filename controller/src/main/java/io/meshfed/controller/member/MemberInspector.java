package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.MaxConnectedClusters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the join pre-flight needs to know about a member, with the kubeconfig given to join:
 * whether its API answers, its version, the {@code kube-system} uid, Cilium's cluster settings,
 * the Pod CIDRs, and whether the kubeconfig may do everything join will do.
 *
 * <p>Nothing here throws for a bad member: an unreachable API, a missing ConfigMap, an unreadable
 * list or a missing right is a {@link Finding}, and all of them are collected, so the user sees
 * every problem in one run.
 */
public final class MemberInspector {

  static final String CILIUM_CONFIG_FIELD = "cilium-config";
  static final ResourceDefinitionContext CILIUM_NODES = new ResourceDefinitionContext.Builder()
      .withGroup("cilium.io").withVersion("v2").withKind("CiliumNode").withPlural("ciliumnodes")
      .withNamespaced(false).build();

  private static final Logger LOG = LoggerFactory.getLogger(MemberInspector.class);
  private static final long PAGE_SIZE = 500;

  private final String cluster;
  private final AccessReviewer accessReviewer;

  /**
   * An inspector for one member; it keeps no state between calls.
   *
   * @param cluster the name the member is known by (for logs)
   */
  public MemberInspector(String cluster) {
    this.cluster = cluster;
    this.accessReviewer = new AccessReviewer(cluster);
  }

  public MemberFacts inspect(KubernetesClient client) {
    String server = withoutTrailingSlash(String.valueOf(client.getMasterUrl()));
    List<Finding> findings = new ArrayList<>();
    String version;
    try {
      version = client.getKubernetesVersion().getGitVersion();
    } catch (KubernetesClientException e) {
      if (KubernetesErrors.isUnreachable(e) || e.getCode() == KubernetesErrors.UNAUTHORIZED) {
        // Without an answer (or with our credentials refused) every further read fails the same way.
        boolean reachable = !KubernetesErrors.isUnreachable(e);
        findings.add(reachable
            ? Finding.of("kubeconfig credentials", "are refused by the member's API server at " + server
                + " (" + KubernetesErrors.summary(e) + ")")
            : new Finding("member-api", server, "is not reachable: " + KubernetesErrors.summary(e)));
        LOG.warn("cluster={} op=inspect server={} result={} error=\"{}\"", cluster, server,
            reachable ? "unauthorized" : "unreachable", KubernetesErrors.summary(e));
        return new MemberFacts(server, reachable, Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalInt.empty(), MemberFacts.DEFAULT_MAX_CONNECTED_CLUSTERS, List.of(), findings);
      }
      version = null;
      findings.add(new Finding("member-api", server, "does not report its version: " + KubernetesErrors.summary(e)));
    }
    Optional<String> kubeSystemUid = kubeSystemUid(client, findings);
    CiliumSettings cilium = ciliumSettings(client, findings);
    List<PodCidr> podCidrs = podCidrs(client, findings);
    findings.addAll(accessReviewer.missing(client, ProvisioningAccess.required()));
    LOG.info("cluster={} op=inspect server={} version={} kubeSystemUid={} ciliumClusterName={} ciliumClusterId={}"
        + " podCidrs={} findings={}", cluster, server, version, kubeSystemUid.orElse(null),
        cilium.name.orElse(null), cilium.id.isPresent() ? cilium.id.getAsInt() : null, podCidrs, findings.size());
    return new MemberFacts(server, true, Optional.ofNullable(version), kubeSystemUid, cilium.name, cilium.id,
        cilium.maxConnectedClusters, podCidrs, findings);
  }

  private Optional<String> kubeSystemUid(KubernetesClient client, List<Finding> findings) {
    try {
      Namespace kubeSystem = client.namespaces().withName(MemberRbac.KUBE_SYSTEM).get();
      if (kubeSystem == null || kubeSystem.getMetadata().getUid() == null) {
        findings.add(Finding.of("namespace kube-system", "does not exist; a member must be a Kubernetes cluster"
            + " with its kube-system namespace"));
        return Optional.empty();
      }
      return Optional.of(kubeSystem.getMetadata().getUid());
    } catch (KubernetesClientException e) {
      findings.add(Finding.of("namespace kube-system", "cannot be read: " + KubernetesErrors.summary(e)));
      return Optional.empty();
    }
  }

  private record CiliumSettings(Optional<String> name, OptionalInt id, int maxConnectedClusters) {
  }

  private CiliumSettings ciliumSettings(KubernetesClient client, List<Finding> findings) {
    ConfigMap config;
    try {
      config = client.configMaps().inNamespace(MemberRbac.KUBE_SYSTEM).withName(MemberRbac.CILIUM_CONFIG).get();
    } catch (KubernetesClientException e) {
      findings.add(Finding.of(CILIUM_CONFIG_FIELD, "(ConfigMap kube-system/cilium-config) cannot be read: "
          + KubernetesErrors.summary(e)));
      return new CiliumSettings(Optional.empty(), OptionalInt.empty(), MemberFacts.DEFAULT_MAX_CONNECTED_CLUSTERS);
    }
    if (config == null) {
      findings.add(Finding.of(CILIUM_CONFIG_FIELD, "(ConfigMap kube-system/cilium-config) does not exist; is Cilium"
          + " installed in the member?"));
      return new CiliumSettings(Optional.empty(), OptionalInt.empty(), MemberFacts.DEFAULT_MAX_CONNECTED_CLUSTERS);
    }
    Map<String, String> data = config.getData() == null ? Map.of() : config.getData();

    Optional<String> name = Optional.ofNullable(data.get("cluster-name")).map(String::strip).filter(s -> !s.isEmpty());
    if (name.isEmpty()) {
      findings.add(Finding.of(CILIUM_CONFIG_FIELD + ".cluster-name", "is not set; Cilium then names the cluster"
          + " \"default\", which cannot join a mesh (set cluster.name in Cilium's Helm values)"));
    }

    OptionalInt id = OptionalInt.empty();
    String rawId = data.get("cluster-id");
    if (rawId == null || rawId.isBlank()) {
      findings.add(Finding.of(CILIUM_CONFIG_FIELD + ".cluster-id", "is not set; Cilium then uses 0, which cannot join"
          + " a mesh (set cluster.id in Cilium's Helm values)"));
    } else {
      try {
        id = OptionalInt.of(Integer.parseInt(rawId.strip()));
      } catch (NumberFormatException e) {
        findings.add(new Finding(CILIUM_CONFIG_FIELD + ".cluster-id", rawId, "must be a number"));
      }
    }

    int max = MemberFacts.DEFAULT_MAX_CONNECTED_CLUSTERS;
    String rawMax = data.get(MaxConnectedClusters.FIELD);
    if (rawMax != null && !rawMax.isBlank()) {
      Optional<MaxConnectedClusters> parsed = Optional.empty();
      try {
        parsed = MaxConnectedClusters.find(Long.parseLong(rawMax.strip()));
      } catch (NumberFormatException e) {
        // reported below
      }
      if (parsed.isPresent()) {
        max = parsed.get().value();
      } else {
        findings.add(new Finding(CILIUM_CONFIG_FIELD + "." + MaxConnectedClusters.FIELD, rawMax, "must be 255 or 511"));
      }
    }
    return new CiliumSettings(name, id, max);
  }

  private List<PodCidr> podCidrs(KubernetesClient client, List<Finding> findings) {
    TreeSet<PodCidr> cidrs = new TreeSet<>();
    try {
      String page = null;
      do {
        NodeList nodes = client.nodes().list(new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(page).build());
        for (Node node : nodes.getItems()) {
          String field = "Node " + node.getMetadata().getName();
          if (node.getSpec() != null) {
            addAll(cidrs, field + " spec.podCIDRs", node.getSpec().getPodCIDRs(), findings);
            if (node.getSpec().getPodCIDR() != null) {
              addAll(cidrs, field + " spec.podCIDR", List.of(node.getSpec().getPodCIDR()), findings);
            }
          }
        }
        page = nextPage(nodes.getMetadata() == null ? null : nodes.getMetadata().getContinue());
      } while (page != null);
    } catch (KubernetesClientException e) {
      findings.add(Finding.of("nodes", "cannot be listed (needed for the Pod CIDRs): " + KubernetesErrors.summary(e)));
    }
    try {
      String page = null;
      do {
        GenericKubernetesResourceList nodes = client.genericKubernetesResources(CILIUM_NODES)
            .list(new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(page).build());
        for (GenericKubernetesResource node : nodes.getItems()) {
          Object raw = node.get("spec", "ipam", "podCIDRs");
          if (raw instanceof Collection<?> values) {
            addAll(cidrs, "CiliumNode " + node.getMetadata().getName() + " spec.ipam.podCIDRs",
                values.stream().map(String::valueOf).toList(), findings);
          }
        }
        page = nextPage(nodes.getMetadata() == null ? null : nodes.getMetadata().getContinue());
      } while (page != null);
    } catch (KubernetesClientException e) {
      // No CiliumNode CRD: an IPAM mode that keeps the Pod CIDRs on the Nodes only.
      if (e.getCode() != KubernetesErrors.NOT_FOUND) {
        findings.add(Finding.of("ciliumnodes.cilium.io", "cannot be listed (needed for the Pod CIDRs): "
            + KubernetesErrors.summary(e)));
      }
    }
    if (cidrs.isEmpty()) {
      findings.add(Finding.of("pod-cidrs", "none found on Nodes (spec.podCIDRs) or CiliumNodes (spec.ipam.podCIDRs);"
          + " without them an overlap with another member cannot be ruled out"));
    }
    return List.copyOf(cidrs);
  }

  static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String nextPage(String continueToken) {
    return continueToken == null || continueToken.isEmpty() ? null : continueToken;
  }

  private static void addAll(TreeSet<PodCidr> cidrs, String field, List<String> values, List<Finding> findings) {
    if (values == null) {
      return;
    }
    for (String value : values) {
      try {
        cidrs.add(PodCidr.parse(field, value));
      } catch (InvalidValueException e) {
        findings.add(e.finding());
      }
    }
  }
}
