package io.meshfed.agent.collect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.meshfed.agent.config.AgentFlags;
import io.meshfed.agent.config.ConfigException;
import io.meshfed.api.health.HealthReports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Read-only access to the member's API server: single gets and paged lists, parsed as a stream so
 * that a page of thousands of objects never sits in memory as a whole.
 *
 * <p>fabric8 provides the configuration (kubeconfig or in-cluster ServiceAccount, with the token
 * file re-read as it rotates), authentication and the JDK HTTP client; requests are plain GETs so
 * that lists can ask for metadata only ({@code as=PartialObjectMetadataList}) — an API server that
 * does not support that answers with full objects, which parse the same way.
 */
public final class KubeAccess implements AutoCloseable {
  /** Where Kubernetes mounts a pod's ServiceAccount token and the cluster CA. */
  public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
  static final String JSON = "application/json";
  static final String METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," + JSON;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final int ERROR_BODY_CHARS = 300;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KubernetesClient client;
  private final HttpClient http;
  private final String base;

  private KubeAccess(KubernetesClient client) {
    this.client = client;
    this.http = client.getHttpClient();
    String url = client.getMasterUrl().toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * A client for the member cluster: from {@code kubeconfig} (its current context) when given,
   * otherwise from the pod's ServiceAccount. Nothing is read from {@code ~/.kube} or the
   * environment besides {@code KUBERNETES_SERVICE_HOST/PORT}.
   *
   * @throws ConfigException naming {@code --kubeconfig} when the configuration cannot be built
   */
  public static KubeAccess connect(Optional<Path> kubeconfig, Map<String, String> env) {
    return create(configure(kubeconfig, env));
  }

  /** A client for {@link #configure}'s configuration (building it loads most of fabric8: slow on a cold JVM). */
  public static KubeAccess create(Config config) {
    return new KubeAccess(new KubernetesClientBuilder().withConfig(config).build());
  }

  /**
   * The fabric8 configuration of {@link #connect}, checked, without building the client.
   *
   * @throws ConfigException naming {@code --kubeconfig} when the configuration cannot be built
   */
  public static Config configure(Optional<Path> kubeconfig, Map<String, String> env) {
    return configure(kubeconfig, env, SERVICE_ACCOUNT_DIR);
  }

  static Config configure(Optional<Path> kubeconfig, Map<String, String> env, Path serviceAccountDir) {
    Config config;
    String flag = AgentFlags.Flag.KUBECONFIG.flagName();
    try {
      config = kubeconfig.isPresent() ? Config.fromKubeconfig(null, kubeconfig.get().toFile()) : inCluster(env, serviceAccountDir);
    } catch (RuntimeException e) {
      // fabric8 throws its own exceptions, and the YAML parser's for a malformed file.
      throw new ConfigException(flag, kubeconfig.map(Path::toString).orElse("in-cluster configuration") + ": "
          + HealthReports.errorText(String.valueOf(e.getMessage())), e);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new ConfigException(flag, kubeconfig.map(Path::toString).orElse("in-cluster configuration") + ": no server URL");
    }
    config.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
    config.setRequestTimeout((int) REQUEST_TIMEOUT.toMillis());
    // The agent polls; a failed read is reported and tried again at the next tick.
    config.setRequestRetryBackoffLimit(0);
    return config;
  }

  private static Config inCluster(Map<String, String> env, Path serviceAccountDir) {
    String host = env.get(AgentFlags.IN_CLUSTER_ENV);
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    Path token = serviceAccountDir.resolve("token");
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port)
        .withCaCertFile(serviceAccountDir.resolve("ca.crt").toString())
        .withTrustCerts(false)
        // Bound ServiceAccount tokens rotate: read the file for every request.
        .withOauthTokenProvider(() -> {
          try {
            return Files.readString(token).strip();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ServiceAccount token " + token, e);
          }
        })
        .build();
  }

  /** The server URL, for logs. */
  public String server() {
    return base;
  }

  /** The fabric8 client (configuration and authentication shared with the raw reads here). */
  public KubernetesClient client() {
    return client;
  }

  /**
   * GET {@code path} as JSON.
   *
   * @return empty on 404
   * @throws KubeException for any other failure
   */
  public Optional<JsonNode> get(String path) {
    HttpResponse<InputStream> response = send(path, JSON);
    try (InputStream body = response.body()) {
      if (response.code() == KubeException.NOT_FOUND) {
        return Optional.empty();
      }
      failUnlessOk(path, response, body);
      return Optional.of(MAPPER.readTree(body));
    } catch (IOException e) {
      throw new KubeException("GET " + path + ": cannot read the answer: " + e.getMessage(), e);
    }
  }

  /**
   * A pager over {@code kind} across all namespaces; {@code visitor} sees every item of every page
   * (a metadata-only {@code PartialObjectMetadata} when {@code metadataOnly} and the server supports
   * it), one at a time.
   *
   * @param labelSelector a label selector, or null
   */
  public ListPager pager(ResourceKind kind, String labelSelector, boolean metadataOnly, Consumer<JsonNode> visitor) {
    return (continueToken, limit) -> listPage(kind, labelSelector, metadataOnly, continueToken, limit, visitor);
  }

  private ListPage listPage(ResourceKind kind, String labelSelector, boolean metadataOnly, String continueToken, int limit,
      Consumer<JsonNode> visitor) {
    StringBuilder path = new StringBuilder(kind.listPath()).append("?limit=").append(limit);
    if (continueToken != null && !continueToken.isEmpty()) {
      path.append("&continue=").append(URLEncoder.encode(continueToken, StandardCharsets.UTF_8));
    }
    if (labelSelector != null) {
      path.append("&labelSelector=").append(URLEncoder.encode(labelSelector, StandardCharsets.UTF_8));
    }
    HttpResponse<InputStream> response = send(path.toString(), metadataOnly ? METADATA_ONLY : JSON);
    try (InputStream body = response.body()) {
      if (response.code() == KubeException.NOT_FOUND) {
        throw new KubeException(KubeException.NOT_FOUND, kind.resource() + ": the API server does not serve it (CRD not installed?)");
      }
      failUnlessOk(kind.listPath(), response, body);
      return parsePage(body, visitor);
    } catch (IOException e) {
      throw new KubeException("list " + kind.resource() + ": cannot read the answer: " + e.getMessage(), e);
    }
  }

  /** Reads {@code metadata.continue}, {@code metadata.remainingItemCount} and the items of a list, streaming. */
  static ListPage parsePage(InputStream body, Consumer<JsonNode> visitor) throws IOException {
    int items = 0;
    String continueToken = "";
    OptionalLong remaining = OptionalLong.empty();
    try (JsonParser parser = MAPPER.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
          JsonNode metadata = parser.readValueAsTree();
          continueToken = metadata.path("continue").asText("");
          if (metadata.hasNonNull("remainingItemCount")) {
            remaining = OptionalLong.of(metadata.get("remainingItemCount").asLong());
          }
        } else if ("items".equals(field) && value == JsonToken.START_ARRAY) {
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            JsonNode item = parser.readValueAsTree();
            items++;
            visitor.accept(item);
          }
        } else {
          parser.skipChildren();
        }
      }
    }
    return new ListPage(items, continueToken, remaining);
  }

  private HttpResponse<InputStream> send(String pathAndQuery, String accept) {
    HttpRequest request = http.newHttpRequestBuilder()
        .uri(base + pathAndQuery)
        .header("Accept", accept)
        .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .build();
    String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
    try {
      return http.sendAsync(request, InputStream.class).get(REQUEST_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new KubeException("GET " + path + " at " + base + ": " + describe(cause), cause);
    } catch (TimeoutException e) {
      throw new KubeException("GET " + path + " at " + base + ": no answer within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubeException("GET " + path + ": interrupted", e);
    }
  }

  private static void failUnlessOk(String path, HttpResponse<InputStream> response, InputStream body) throws IOException {
    if (response.isSuccessful()) {
      return;
    }
    String text = new String(body.readNBytes(16 * 1024), StandardCharsets.UTF_8);
    String message;
    try {
      message = MAPPER.readTree(text).path("message").asText(text);
    } catch (IOException notJson) {
      message = text;
    }
    if (message.length() > ERROR_BODY_CHARS) {
      message = message.substring(0, ERROR_BODY_CHARS) + "...";
    }
    throw new KubeException(response.code(), "GET " + path + ": HTTP " + response.code() + (message.isBlank() ? "" : ": " + message.strip()));
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    if (t instanceof java.net.ConnectException || (t.getCause() instanceof java.net.ConnectException)) {
      return "connection refused";
    }
    return t.getMessage() == null ? name : name + ": " + t.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
