package io.meshfed.controller.store;

import io.meshfed.certs.SecretBox;
import io.meshfed.controller.member.MemberCredentials;
import java.nio.charset.StandardCharsets;

/**
 * The secrets a cluster record carries sealed (member credentials, the member's etcd client key and,
 * for a proxied member, its etcd password),
 * opened in one place with the cluster's name as associated data, so a sealed value copied into
 * another cluster's record does not open.
 */
public final class SealedSecrets {
  private final SecretBox box;

  public SealedSecrets(SecretBox box) {
    this.box = box;
  }

  public MemberCredentials credentials(ClusterRecord c) {
    return MemberCredentials.fromJson(new String(box.open(c.credentialsSealed(), aad(c.name())), StandardCharsets.UTF_8));
  }

  public String sealCredentials(String cluster, MemberCredentials creds) {
    return box.seal(creds.toJson().getBytes(StandardCharsets.UTF_8), aad(cluster));
  }

  public String etcdClientKeyPem(ClusterRecord c) {
    return new String(box.open(c.etcdClientKeySealed(), aad(c.name())), StandardCharsets.US_ASCII);
  }

  public String sealEtcdClientKey(String cluster, String pem) {
    return box.seal(pem.getBytes(StandardCharsets.US_ASCII), aad(cluster));
  }

  /** The member etcd user's password (proxied members only). */
  public String etcdPassword(ClusterRecord c) {
    return new String(box.open(c.etcdPasswordSealed(), aad(c.name())), StandardCharsets.UTF_8);
  }

  public String sealEtcdPassword(String cluster, String password) {
    return box.seal(password.getBytes(StandardCharsets.UTF_8), aad(cluster));
  }

  private static byte[] aad(String cluster) {
    return cluster.getBytes(StandardCharsets.UTF_8);
  }
}
