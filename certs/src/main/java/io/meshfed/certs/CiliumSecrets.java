package io.meshfed.certs;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data maps of the Secrets Cilium reads, rendered from issued material (writing them into a
 * member comes with join): {@code cilium-ca} holds {@code ca.crt}/{@code ca.key}; every
 * {@code kubernetes.io/tls} Secret holds {@code ca.crt}, {@code tls.crt}, {@code tls.key}.
 *
 * <p>{@code tls.crt} carries the leaf followed by its intermediate, and {@code ca.crt} the whole
 * trust bundle, so a peer that trusts only the mesh root can verify a leaf issued by a cluster
 * intermediate (the setup that fails with per-cluster CAs in cilium#43099).
 */
public final class CiliumSecrets {
  private CiliumSecrets() {}

  /** {@code cilium-ca}: the CA that signs this cluster's Cilium certificates (its intermediate). */
  public static Map<String, byte[]> ciliumCa(CertifiedKey ca) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    data.put("ca.crt", bytes(Pem.encodeCertificates(ca.certificateAndChain())));
    data.put("ca.key", bytes(Pem.encodePrivateKeyInMemory(ca.privateKey())));
    return data;
  }

  /** A {@code kubernetes.io/tls} Secret's data. */
  public static Map<String, byte[]> tls(CertifiedKey leaf, TrustBundle bundle) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    data.put("ca.crt", bytes(bundle.toPem()));
    data.put("tls.crt", bytes(Pem.encodeCertificates(leaf.certificateAndChain())));
    data.put("tls.key", bytes(Pem.encodePrivateKeyInMemory(leaf.privateKey())));
    return data;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
