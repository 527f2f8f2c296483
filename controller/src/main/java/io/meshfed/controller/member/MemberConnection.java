package io.meshfed.controller.member;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Builds {@link KubernetesClient}s for a member: from the user's kubeconfig (join and leave run
 * with it), or from the {@link MemberCredentials} of the controller's ServiceAccount (everything
 * after join).
 *
 * <p>Clients are never auto-configured from {@code ~/.kube/config}, the environment or an
 * in-cluster ServiceAccount: talking to another cluster than the one named would be the worst
 * possible failure here.
 */
public final class MemberConnection {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** One sequence for every client of this process, so clients built together get schedules far apart. */
  private static final DoubleSupplier SCHEDULES = EvenSpread.randomStart();

  private MemberConnection() {
  }

  /** {@link #fromKubeconfig(Path, String, ConnectionSettings)} with the default settings. */
  public static KubernetesClient fromKubeconfig(Path kubeconfig, String context) {
    return fromKubeconfig(kubeconfig, context, ConnectionSettings.DEFAULT);
  }

  /**
   * A client for the cluster that {@code context} of {@code kubeconfig} points at.
   *
   * @param context a context of the file, or null for its {@code current-context}
   * @throws MemberConnectionException naming the file and the context when the file cannot be
   *     read or parsed, or the context is not in it (fabric8 alone would silently fall back to the
   *     current context, which may be another cluster)
   */
  public static KubernetesClient fromKubeconfig(Path kubeconfig, String context, ConnectionSettings settings) {
    Config config = configFromKubeconfig(kubeconfig, context);
    return build(config, settings);
  }

  /** {@link #fromCredentials(MemberCredentials, ConnectionSettings)} with the default settings. */
  public static KubernetesClient fromCredentials(MemberCredentials credentials) {
    return fromCredentials(credentials, ConnectionSettings.DEFAULT);
  }

  /** A client that authenticates with the stored ServiceAccount token, trusting only the stored CA. */
  public static KubernetesClient fromCredentials(MemberCredentials credentials, ConnectionSettings settings) {
    Objects.requireNonNull(credentials, "credentials");
    // Config.empty(): no auto-configuration, so nothing from this host leaks into the client.
    ConfigBuilder config = new ConfigBuilder(Config.empty())
        .withMasterUrl(credentials.server())
        .withOauthToken(credentials.token())
        .withTrustCerts(false);
    if (credentials.certificateAuthorityData() != null) {
      config.withCaCertData(credentials.certificateAuthorityData());
    }
    return build(config.build(), settings);
  }

  /**
   * The fabric8 configuration for a context of a kubeconfig file, checked first so that every
   * error names the file and the context.
   */
  static Config configFromKubeconfig(Path kubeconfig, String context) {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    String contents;
    try {
      contents = Files.readString(kubeconfig);
    } catch (NoSuchFileException e) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ": no such file");
    } catch (IOException e) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ": cannot read it: " + e, e);
    }
    JsonNode root;
    try {
      root = YAML.readTree(contents);
    } catch (IOException e) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ": not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ": not a kubeconfig (expected a YAML mapping"
          + " with clusters, contexts and users)");
    }
    List<String> contexts = new ArrayList<>();
    root.path("contexts").forEach(entry -> contexts.add(entry.path("name").asText()));
    String wanted = context;
    if (wanted == null || wanted.isBlank()) {
      wanted = root.path("current-context").asText("");
      if (wanted.isBlank()) {
        throw new MemberConnectionException("kubeconfig " + kubeconfig + " has no current-context; name one of "
            + contexts + " with --context");
      }
    }
    if (!contexts.contains(wanted)) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + " has no context '" + wanted + "' (it has "
          + contexts + ")");
    }
    Config config;
    try {
      // The File variant resolves relative certificate paths against the file's folder.
      config = Config.fromKubeconfig(wanted, kubeconfig.toFile());
    } catch (KubernetesClientException e) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ", context '" + wanted + "': "
          + e.getMessage(), e);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new MemberConnectionException("kubeconfig " + kubeconfig + ", context '" + wanted
          + "': its cluster has no server URL");
    }
    return config;
  }

  private static KubernetesClient build(Config config, ConnectionSettings settings) {
    return new KubernetesClientBuilder().withHttpClientFactory(new MemberHttpClients())
        .withConfig(configure(config, settings, SCHEDULES)).build();
  }

  /**
   * Timeouts and retries from {@code settings}; retry intervals spread per client ({@link ReconnectJitter}).
   * One draw sets both intervals: what keeps two clients apart is that each gets its own draw, and
   * one draw per client keeps consecutive clients' draws a golden-ratio step apart ({@link EvenSpread}).
   */
  static Config configure(Config config, ConnectionSettings settings, DoubleSupplier random) {
    config.setConnectionTimeout(Math.toIntExact(settings.connectTimeout().toMillis()));
    config.setRequestTimeout(Math.toIntExact(settings.requestTimeout().toMillis()));
    config.setRequestRetryBackoffLimit(settings.retries());
    double draw = random.getAsDouble();
    config.setWatchReconnectInterval(ReconnectJitter.spread(ReconnectJitter.WATCH_RECONNECT_MILLIS, () -> draw));
    config.setRequestRetryBackoffInterval(ReconnectJitter.spread(ReconnectJitter.REQUEST_RETRY_MILLIS, () -> draw));
    return config;
  }
}
