package io.meshfed.controller.join;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.member.MemberCredentials;
import io.meshfed.controller.member.MemberSecrets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes certificate material into a member's Secrets with the member's least-privilege
 * ServiceAccount: get then update, never create (RBAC cannot restrict create by name, so join
 * pre-creates the named Secrets and the controller may only get/update exactly those).
 */
public class MemberSecretWriter {

  /** Replaces the data of an existing Secret (see {@link MemberSecrets#update}). */
  public void update(String cluster, MemberCredentials credentials, String namespace, String name, Map<String, byte[]> data) {
    try (KubernetesClient client = MemberConnection.fromCredentials(credentials)) {
      new MemberSecrets(cluster).update(client, namespace, name, data);
    }
  }

  /** Writes only into an empty Secret (never replaces a CA a running Cilium already uses); true when written. */
  public boolean updateIfEmpty(MemberCredentials credentials, String namespace, String name, Map<String, byte[]> data) {
    try (KubernetesClient client = MemberConnection.fromCredentials(credentials)) {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      if (s == null || (s.getData() != null && !s.getData().isEmpty())) {
        return false;
      }
      s.setData(encode(data));
      client.secrets().inNamespace(namespace).resource(s).update();
      return true;
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("Secret " + namespace + "/" + name + ": " + e.getStatus().getMessage(), e);
    }
  }

  private static Map<String, String> encode(Map<String, byte[]> data) {
    Map<String, String> out = new LinkedHashMap<>();
    data.forEach((k, v) -> out.put(k, Base64.getEncoder().encodeToString(v)));
    return out;
  }
}
