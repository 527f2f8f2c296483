package io.meshfed.agent.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentFlags;
import io.meshfed.api.health.HealthReports;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Pem;
import io.meshfed.certs.PkiException;
import io.meshfed.certs.TrustBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Secret {@code kube-system/cilium-clustermesh}, which Cilium mounts to reach the mesh etcd:
 * the notAfter of every certificate in it (any key whose value holds a PEM certificate), and an
 * etcd probe with the endpoints and client certificate it holds, exactly what this member's Cilium
 * agents use. Flags can replace the endpoints ({@code --etcd-endpoints}) and the certificate files
 * ({@code --etcd-ca-file}, {@code --etcd-cert-file}, {@code --etcd-key-file}).
 */
final class ClusterMeshCollector extends KubeCollector {
  static final String SECRET_PATH = "/api/v1/namespaces/kube-system/secrets/cilium-clustermesh";
  static final String SECRET = "kube-system/cilium-clustermesh";
  private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final EtcdProbe probe;
  private final List<String> endpointsFlag;
  private final Optional<AgentConfig.EtcdFiles> filesFlag;

  ClusterMeshCollector(KubeAccess kube, EtcdProbe probe, List<String> endpointsFlag, Optional<AgentConfig.EtcdFiles> filesFlag) {
    super("clustermesh", kube);
    this.probe = probe;
    this.endpointsFlag = List.copyOf(endpointsFlag);
    this.filesFlag = filesFlag;
  }

  @Override
  public void collect(Results results) {
    Map<String, String> data = new TreeMap<>();
    String secretError = "";
    try {
      Optional<JsonNode> secret = kube.get(SECRET_PATH);
      if (secret.isEmpty()) {
        secretError = "Secret " + SECRET + " not found (join writes it)";
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> it = secret.get().path("data").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          data.put(entry.getKey(), decode(entry.getValue().asText("")));
        }
      }
    } catch (KubeException e) {
      secretError = Errors.text(e);
    }
    certificates(results, data, secretError);
    results.etcd = etcd(data, secretError);
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static void certificates(Results results, Map<String, String> data, String secretError) {
    List<CertificateStatus> found = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    if (!secretError.isEmpty()) {
      errors.add(secretError);
    }
    data.forEach((key, value) -> {
      if (value.contains(PEM_CERTIFICATE)) {
        try {
          found.addAll(CertificateStatuses.of(key, Pem.decodeCertificates(SECRET + " " + key, value), CertificateSource.CERTIFICATE_SOURCE_SECRET));
        } catch (PkiException e) {
          errors.add(e.getMessage());
        }
      }
    });
    results.secretCertificates = List.copyOf(found);
    results.secretCertificatesError = HealthReports.errorText(String.join("; ", errors));
  }

  private EtcdStatus etcd(Map<String, String> data, String secretError) {
    EtcdStatus.Builder notConfigured = EtcdStatus.newBuilder().setConfigured(false).setHeartbeatAgeSeconds(-1);
    Optional<JsonNode> config = clusterConfig(data);
    List<String> endpoints = new ArrayList<>(endpointsFlag);
    if (endpoints.isEmpty() && config.isPresent()) {
      config.get().path("endpoints").forEach(e -> endpoints.add(e.asText()));
    }
    if (endpoints.isEmpty()) {
      String where = secretError.isEmpty() ? "Secret " + SECRET + " names none" : "Secret " + SECRET + " unavailable";
      return notConfigured.setError("no etcd endpoints to probe (" + where + "; " + AgentFlags.Flag.ETCD_ENDPOINTS.flagName()
          + " names them explicitly)").build();
    }
    try {
      String caPem;
      String certPem;
      String keyPem;
      if (filesFlag.isPresent()) {
        caPem = Pem.readText(filesFlag.get().ca());
        certPem = Pem.readText(filesFlag.get().cert());
        keyPem = Pem.readText(filesFlag.get().key());
      } else {
        JsonNode c = config.orElseThrow(() -> new PkiException(SECRET, "no etcd client configuration (a key holding endpoints:)"));
        caPem = fileFromSecret(data, c, "trusted-ca-file");
        certPem = fileFromSecret(data, c, "cert-file");
        keyPem = fileFromSecret(data, c, "key-file");
      }
      TrustBundle trust = TrustBundle.parse("etcd CA", caPem);
      List<X509Certificate> chain = Pem.decodeCertificates("etcd client certificate", certPem);
      PrivateKey key = Pem.decodePrivateKey("etcd client key", keyPem, null);
      return probe.probe(endpoints, new CertifiedKey(chain.get(0), key, chain.subList(1, chain.size())), trust);
    } catch (PkiException e) {
      return notConfigured.setError(HealthReports.errorText(e.getMessage())).build();
    }
  }

  /** The first etcd client configuration in the Secret (a value holding {@code endpoints:}, spec 4.4), by key order. */
  private static Optional<JsonNode> clusterConfig(Map<String, String> data) {
    for (String value : data.values()) {
      if (value.contains("endpoints:")) {
        try {
          JsonNode node = YAML.readTree(value);
          if (node != null && node.path("endpoints").isArray()) {
            return Optional.of(node);
          }
        } catch (IOException e) {
          // Not YAML after all: look further.
        }
      }
    }
    return Optional.empty();
  }

  /** A file the etcd configuration names (by path in Cilium's mount), read from the Secret key of the same name. */
  private static String fileFromSecret(Map<String, String> data, JsonNode config, String field) {
    String path = config.path(field).asText("");
    if (path.isEmpty()) {
      throw new PkiException(SECRET, "the etcd configuration has no " + field);
    }
    String key = Path.of(path).getFileName().toString();
    String value = data.get(key);
    if (value == null || value.isEmpty()) {
      throw new PkiException(SECRET, field + " " + path + ": the Secret has no key " + key);
    }
    return value;
  }

  @Override
  public void fail(Results results, String error) {
    results.secretCertificates = List.of();
    results.secretCertificatesError = error;
    results.etcd = EtcdStatus.newBuilder().setHeartbeatAgeSeconds(-1).setError(error).build();
  }

  @Override
  public String error(Results results) {
    return Results.join(results.secretCertificatesError, results.etcd == null ? "" : results.etcd.getError());
  }
}
