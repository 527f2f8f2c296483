package io.meshfed.demo;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.member.MemberConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

/** What the demo does in a member cluster with its admin kubeconfig, besides what meshfed does. */
final class Members {
  /** The namespace of the allow-dns example policy (simulated clusters seed kube-system, default and ns-*). */
  static final String POLICY_NAMESPACE = "production";
  static final List<String> AGENT_FILES = List.of("ca.crt", "tls.crt", "tls.key");

  private Members() {}

  /**
   * Adds what the example policies need and the seeder leaves out: namespace production. (The
   * seeder already creates the cilium DaemonSet, fully ready, and ConfigMap cilium-config with the
   * member's cluster-name and cluster-id, from which the agent reports CiliumReady.)
   */
  static void prepare(Path kubeconfig) {
    try (KubernetesClient k = MemberConnection.fromKubeconfig(kubeconfig, null)) {
      if (k.namespaces().withName(POLICY_NAMESPACE).get() == null) {
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(POLICY_NAMESPACE).endMetadata().build()).create();
      }
      if (k.apps().daemonSets().inNamespace("kube-system").withName("cilium").get() == null
          || k.configMaps().inNamespace("kube-system").withName("cilium-config").get() == null) {
        throw new IllegalStateException("simulated cluster " + kubeconfig + " has no cilium DaemonSet or cilium-config ConfigMap");
      }
    }
  }

  /**
   * The agent's certificate as a pod would mount it: Secret meshfed-system/meshfed-agent-tls, which
   * join wrote into the member, copied to {@code certDir} (files 0600, directory 0700).
   */
  static Path agentCertificates(Path kubeconfig, Path certDir) throws IOException {
    Secret secret;
    try (KubernetesClient k = MemberConnection.fromKubeconfig(kubeconfig, null)) {
      secret = k.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
    }
    if (secret == null || secret.getData() == null) {
      throw new IllegalStateException("no Secret meshfed-system/meshfed-agent-tls in " + kubeconfig + " (did join succeed?)");
    }
    Files.createDirectories(certDir);
    Files.setPosixFilePermissions(certDir, PosixFilePermissions.fromString("rwx------"));
    for (String f : AGENT_FILES) {
      String b64 = secret.getData().get(f);
      if (b64 == null) {
        throw new IllegalStateException("Secret meshfed-system/meshfed-agent-tls has no " + f);
      }
      Path file = certDir.resolve(f);
      Files.write(file, Base64.getDecoder().decode(b64));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    return certDir;
  }
}
