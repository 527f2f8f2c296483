package io.meshfed.controller.member;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the named Secrets of a member as the controller's ServiceAccount: get, then update,
 * never create. RBAC cannot limit {@code create} to a name, so the ServiceAccount has none; join
 * created the Secrets empty, and a missing one means join did not run (or someone deleted it).
 */
public final class MemberSecrets {

  /** Another writer changed the Secret between our get and update: read again and retry. */
  private static final int ATTEMPTS = 3;

  private static final Logger LOG = LoggerFactory.getLogger(MemberSecrets.class);

  private final String cluster;

  /**
   * Secret writes for one member; it keeps no state between calls.
   *
   * @param cluster the name the member is known by (for logs and messages)
   */
  public MemberSecrets(String cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * Replaces the whole data of Secret {@code namespace/name} with {@code data}; labels, type and
   * everything else stay.
   *
   * @return the Secret as stored
   * @throws MemberApiException when the Secret does not exist, the ServiceAccount may not read or
   *     update it (403), or the member cannot be reached
   */
  public Secret update(KubernetesClient saClient, String namespace, String name, Map<String, byte[]> data) {
    Objects.requireNonNull(data, "data");
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value)));
    String secret = namespace + "/" + name;
    for (int attempt = 1; ; attempt++) {
      try {
        Secret current = saClient.secrets().inNamespace(namespace).withName(name).get();
        if (current == null) {
          throw new MemberApiException("cluster " + cluster + ": Secret " + secret + " does not exist; join creates"
              + " it (the controller may only get and update it): join the member again", KubernetesErrors.NOT_FOUND,
              null);
        }
        current.setData(encoded);
        current.setStringData(null);
        // The resourceVersion from the get makes this fail (409) instead of overwriting a concurrent write.
        Secret stored = saClient.secrets().inNamespace(namespace).resource(current).update();
        LOG.info("cluster={} op=secret-update secret={} keys={} attempt={}", cluster, secret, encoded.keySet(), attempt);
        return stored;
      } catch (KubernetesClientException e) {
        if (e.getCode() == KubernetesErrors.CONFLICT && attempt < ATTEMPTS) {
          LOG.info("cluster={} op=secret-update secret={} result=conflict attempt={}", cluster, secret, attempt);
          continue;
        }
        LOG.warn("cluster={} op=secret-update secret={} result=error code={} error=\"{}\"", cluster, secret,
            e.getCode(), KubernetesErrors.summary(e));
        String hint = e.getCode() == KubernetesErrors.FORBIDDEN
            ? "; the controller's ServiceAccount may only get and update the Secrets listed in docs/member-rbac.md" : "";
        throw new MemberApiException("cluster " + cluster + ": cannot update Secret " + secret + ": "
            + KubernetesErrors.summary(e) + hint, e.getCode(), e);
      }
    }
  }
}
