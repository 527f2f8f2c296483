package io.meshfed.controller.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.KeyValue;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshfed.api.cluster.ClusterId;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.api.kvstore.CacheEntry;
import io.meshfed.api.kvstore.CacheEntryReader;
import io.meshfed.api.kvstore.CiliumClusterConfig;
import io.meshfed.api.kvstore.ClusterDataValidator;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.MeshStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The conformance reader of the sync work (spec 1.5): reads the mesh etcd the way a Cilium agent
 * of one member does, with that member's own etcd certificate from its {@code cilium-clustermesh}
 * Secret; for a remote cluster it reads the cluster config first, then the canaries, then each
 * prefix, validating every object as the agent would, and compares what it read with the remote's
 * source objects. Shared by {@code SyncConformanceTest} and the e2e lifecycle suite.
 */
public final class CiliumAgentReader {
  public static final ResourceDefinitionContext IDENTITIES = crd("ciliumidentities", "CiliumIdentity", false);
  public static final ResourceDefinitionContext ENDPOINTS = crd("ciliumendpoints", "CiliumEndpoint", true);
  public static final ResourceDefinitionContext NODES = crd("ciliumnodes", "CiliumNode", false);
  /** The four KVStoreMesh cache prefixes under {@code cilium/cache/<prefix>/v1/<cluster>/}. */
  public static final List<String> PREFIXES = List.of("identities", "ip", "nodes", "services");

  private CiliumAgentReader() {}

  private static ResourceDefinitionContext crd(String plural, String kind, boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2").withPlural(plural).withKind(kind)
        .withNamespaced(namespaced).build();
  }

  /** The etcd client a Cilium agent of the member behind {@code memberKubeconfig} uses, exactly as mounted from its Secret. */
  public static MeshStore connectAs(Path memberKubeconfig, List<String> etcdEndpoints, TrustBundle etcdTrust) {
    Map<String, String> data;
    try (KubernetesClient k = MemberConnection.fromKubeconfig(memberKubeconfig, null)) {
      data = k.secrets().inNamespace("kube-system").withName("cilium-clustermesh").get().getData();
    }
    String cert = new String(Base64.getDecoder().decode(data.get("meshfed-etcd-client.crt")), StandardCharsets.US_ASCII);
    String key = new String(Base64.getDecoder().decode(data.get("meshfed-etcd-client.key")), StandardCharsets.US_ASCII);
    var certs = Pem.decodeCertificates("crt", cert);
    CertifiedKey id = new CertifiedKey(certs.get(0), Pem.decodePrivateKey("key", key, null), certs.subList(1, certs.size()));
    return new MeshStore(new EtcdAccess(etcdEndpoints, id, etcdTrust).connect());
  }

  public static String str(KeyValue kv) {
    return kv.getValue().toString(StandardCharsets.UTF_8);
  }

  /** The key suffixes under {@code prefix}. */
  public static Set<String> keySuffixes(MeshStore s, String prefix) {
    return s.list(prefix).stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length())).collect(Collectors.toSet());
  }

  /** Every object of a kind in a member (any namespace for namespaced kinds). */
  public static List<GenericKubernetesResource> list(KubernetesClient k, ResourceDefinitionContext ctx) {
    return ctx.isNamespaceScoped() ? k.genericKubernetesResources(ctx).inAnyNamespace().list().getItems()
        : k.genericKubernetesResources(ctx).list().getItems();
  }

  /** What the agent found for one remote: every cache key's suffix, by prefix. */
  public record RemoteData(Set<String> identities, Set<String> ips, Set<String> nodes, Set<String> services) {
    public int total() {
      return identities.size() + ips.size() + nodes.size() + services.size();
    }
  }

  /**
   * Reads remote cluster {@code remote} (ID {@code id}) as the agent does and asserts: all four
   * canaries (waiting up to {@code wait} for them), an accepted cluster config (cached, canaries,
   * 255), every cache entry accepted by the agent's validator, and the entries equal to the
   * remote's source objects (identities by name, endpoint IPs, CiliumNodes, global services).
   */
  public static RemoteData assertConformant(MeshStore agent, String remote, int id, KubernetesClient source, Duration wait) {
    await().atMost(wait).untilAsserted(() -> assertThat(keySuffixes(agent, "cilium/synced/" + remote + "/"))
        .containsExactlyInAnyOrder("cilium/cache/identities/v1", "cilium/cache/ip/v1", "cilium/cache/nodes/v1", "cilium/cache/services/v1"));
    for (KeyValue canary : agent.list("cilium/synced/" + remote + "/")) {
      assertThat(Instant.parse(str(canary))).isBefore(Instant.now().plusSeconds(5));
    }
    ClusterDataValidator validator = new ClusterDataValidator(ClusterName.parse(remote), ClusterId.of(id, MaxConnectedClusters.MAX_255));
    CacheEntryReader reader = new CacheEntryReader(validator);
    KeyValue cfgKv = agent.get("cilium/cluster-config/" + remote).orElseThrow(() -> new AssertionError("no cilium/cluster-config/" + remote));
    ReadResult<CiliumClusterConfig> cfg = reader.readClusterConfig(cfgKv.getKey().toString(StandardCharsets.UTF_8), cfgKv.getValue().getBytes());
    assertThat(cfg.isAccepted()).as(cfg.toString()).isTrue();
    assertThat(str(cfgKv)).contains("\"id\":" + id).contains("\"cached\":true").contains("\"syncedCanaries\":true").contains("\"maxConnectedClusters\":255");

    Set<String> identities = new HashSet<>();
    Set<String> ips = new HashSet<>();
    Set<String> nodes = new HashSet<>();
    Set<String> services = new HashSet<>();
    for (String prefix : PREFIXES) {
      for (KeyValue kv : agent.list("cilium/cache/" + prefix + "/v1/" + remote + "/")) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        ReadResult<CacheEntry> e = reader.read(key, kv.getValue().getBytes());
        assertThat(e.isAccepted()).as(key + " -> " + e).isTrue();
        String rest = key.substring(("cilium/cache/" + prefix + "/v1/" + remote + "/").length());
        switch (prefix) {
          case "identities" -> identities.add(rest.substring("id/".length()));
          case "ip" -> ips.add(rest);
          case "nodes" -> nodes.add(rest);
          default -> services.add(rest);
        }
      }
    }
    assertThat(identities).as("identities of " + remote).isEqualTo(list(source, IDENTITIES).stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet()));
    assertThat(nodes).as("nodes of " + remote).isEqualTo(list(source, NODES).stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet()));
    Set<String> endpointIps = new HashSet<>();
    for (GenericKubernetesResource ep : list(source, ENDPOINTS)) {
      List<Map<String, Object>> addressing = ep.get("status", "networking", "addressing");
      addressing.forEach(a -> endpointIps.add(String.valueOf(a.get("ipv4"))));
    }
    assertThat(ips).as("endpoint IPs of " + remote).isEqualTo(endpointIps);
    Set<String> global = source.services().inAnyNamespace().list().getItems().stream()
        .filter(s -> s.getMetadata().getAnnotations() != null && "true".equals(s.getMetadata().getAnnotations().get("service.cilium.io/global")))
        .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()).collect(Collectors.toSet());
    assertThat(services).as("global services of " + remote).isEqualTo(global).isNotEmpty();
    return new RemoteData(identities, ips, nodes, services);
  }
}
