package io.meshfed.agent.config;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.health.HealthReports;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the agent's command line. Every flag has an environment variable (used when the flag is
 * absent), so a Helm chart can set either. {@code --flag value} and {@code --flag=value} both work.
 *
 * <p>Nothing here connects anywhere; files are only checked to exist (their contents are read by
 * {@link AgentCredentials}). Every refusal is a {@link ConfigException} naming the flag.
 */
public final class AgentFlags {

  /** The pod environment variable that tells the agent runs inside a cluster. */
  public static final String IN_CLUSTER_ENV = "KUBERNETES_SERVICE_HOST";

  /** One flag, its environment variable and its help text. */
  public enum Flag {
    CONTROLLER("--controller", "MESHFED_CONTROLLER", "HOST:PORT", "the controller's gRPC endpoint (required)"),
    CERT_DIR("--cert-dir", "MESHFED_AGENT_CERT_DIR", "DIR",
        "ca.crt, tls.crt, tls.key of Secret meshfed-system/meshfed-agent-tls (required)"),
    CLUSTER_NAME("--cluster-name", "MESHFED_CLUSTER_NAME", "NAME",
        "optional cross-check: the cluster tls.crt must be for (its CN is agent.<cluster>)"),
    KUBECONFIG("--kubeconfig", "MESHFED_AGENT_KUBECONFIG", "FILE",
        "kubeconfig of the member cluster (default: the pod's ServiceAccount)"),
    INTERVAL("--interval", "MESHFED_AGENT_INTERVAL", "SECONDS",
        "seconds between reports, " + HealthReports.MIN_INTERVAL_SECONDS + ".." + HealthReports.MAX_INTERVAL_SECONDS
            + " (default " + HealthReports.DEFAULT_INTERVAL_SECONDS + "; the controller may change it)"),
    ETCD_ENDPOINTS("--etcd-endpoints", "MESHFED_AGENT_ETCD_ENDPOINTS", "URL[,URL]",
        "mesh etcd endpoints to probe (default: from Secret kube-system/cilium-clustermesh)"),
    ETCD_CA_FILE("--etcd-ca-file", "MESHFED_AGENT_ETCD_CA_FILE", "FILE",
        "CA of etcd's server certificate (default: from Secret kube-system/cilium-clustermesh)"),
    ETCD_CERT_FILE("--etcd-cert-file", "MESHFED_AGENT_ETCD_CERT_FILE", "FILE", "etcd client certificate (idem)"),
    ETCD_KEY_FILE("--etcd-key-file", "MESHFED_AGENT_ETCD_KEY_FILE", "FILE", "etcd client key, PEM (idem)");

    private final String name;
    private final String env;
    private final String valueName;
    private final String help;

    Flag(String name, String env, String valueName, String help) {
      this.name = name;
      this.env = env;
      this.valueName = valueName;
      this.help = help;
    }

    public String flagName() {
      return name;
    }

    public String env() {
      return env;
    }
  }

  /** Thrown for {@code --help} and {@code --version}: not an error, the caller prints and exits 0. */
  public static final class InfoRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InfoRequested(String text) {
      super(text, null, false, false);
    }
  }

  private AgentFlags() {}

  /** The usage text. */
  public static String usage() {
    StringBuilder sb = new StringBuilder("Usage: meshfed-agent --controller HOST:PORT --cert-dir DIR [options]\n\n")
        .append("Reports this member cluster's health to the meshfed controller over gRPC with mTLS.\n\n");
    for (Flag f : Flag.values()) {
      sb.append(String.format("  %-28s %s%n  %-28s env %s%n", f.name + " " + f.valueName, f.help, "", f.env));
    }
    sb.append(String.format("  %-28s %s%n  %-28s %s%n", "--help", "this text", "--version", "the agent's version"));
    sb.append("\nExit codes: 0 stopped by a signal, 1 failed while running, 2 bad flags or certificate files.\n");
    return sb.toString();
  }

  /**
   * Parses flags, falling back to {@code env} for absent ones.
   *
   * @throws ConfigException naming the flag at fault
   * @throws InfoRequested for --help / --version, carrying the text to print
   */
  public static AgentConfig parse(List<String> args, Map<String, String> env, String version) {
    Map<Flag, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new InfoRequested(usage());
      }
      if (arg.equals("--version")) {
        throw new InfoRequested("meshfed-agent " + version + "\n");
      }
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      Flag flag = byName(name);
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException(name, "needs a value (" + flag.valueName + ")");
        }
        value = args.get(++i);
      }
      if (values.put(flag, value) != null) {
        throw new ConfigException(name, "given twice");
      }
    }
    for (Flag f : Flag.values()) {
      if (!values.containsKey(f) && env.get(f.env) != null && !env.get(f.env).isBlank()) {
        values.put(f, env.get(f.env));
      }
    }
    return check(values, env);
  }

  private static Flag byName(String name) {
    for (Flag f : Flag.values()) {
      if (f.name.equals(name)) {
        return f;
      }
    }
    throw new ConfigException(name, "unknown flag (see --help)");
  }

  private static AgentConfig check(Map<Flag, String> values, Map<String, String> env) {
    String controller = required(values, Flag.CONTROLLER);
    int colon = controller.lastIndexOf(':');
    String host = colon > 0 ? controller.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = colon > 0 ? parsePort(controller.substring(colon + 1)) : -1;
    if (host.isBlank() || port < 1) {
      throw new ConfigException(Flag.CONTROLLER.name, "\"" + controller + "\" must be HOST:PORT (port 1..65535), e.g. meshfed.example.com:8443");
    }

    Path certDir = Path.of(required(values, Flag.CERT_DIR));
    if (!Files.isDirectory(certDir)) {
      throw new ConfigException(Flag.CERT_DIR.name, certDir + " is not a directory (it holds " + String.join(", ", AgentCredentials.FILES)
          + " of Secret meshfed-system/meshfed-agent-tls)");
    }
    for (String file : AgentCredentials.FILES) {
      if (!Files.isReadable(certDir.resolve(file))) {
        throw new ConfigException(Flag.CERT_DIR.name, certDir.resolve(file) + " is missing or unreadable (the agent needs "
            + String.join(", ", AgentCredentials.FILES) + " as join writes them into Secret meshfed-system/meshfed-agent-tls)");
      }
    }

    Optional<String> clusterName = Optional.ofNullable(values.get(Flag.CLUSTER_NAME)).map(String::strip);
    clusterName.flatMap(name -> ClusterName.check(Flag.CLUSTER_NAME.name, name)).ifPresent(finding -> {
      throw new ConfigException(Flag.CLUSTER_NAME.name, finding.message().substring(Flag.CLUSTER_NAME.name.length()).replaceFirst("^:? ", ""));
    });

    Optional<Path> kubeconfig = Optional.ofNullable(values.get(Flag.KUBECONFIG)).map(Path::of);
    if (kubeconfig.isPresent() && !Files.isReadable(kubeconfig.get())) {
      throw new ConfigException(Flag.KUBECONFIG.name, kubeconfig.get() + " is missing or unreadable");
    }
    if (kubeconfig.isEmpty() && (env.get(IN_CLUSTER_ENV) == null || env.get(IN_CLUSTER_ENV).isBlank())) {
      throw new ConfigException(Flag.KUBECONFIG.name, "not given, and not running in a pod (" + IN_CLUSTER_ENV
          + " is not set): give the member cluster's kubeconfig");
    }

    Duration interval = Duration.ofSeconds(HealthReports.DEFAULT_INTERVAL_SECONDS);
    if (values.containsKey(Flag.INTERVAL)) {
      interval = Duration.ofSeconds(parseInterval(values.get(Flag.INTERVAL)));
    }

    List<String> endpoints = new ArrayList<>();
    if (values.containsKey(Flag.ETCD_ENDPOINTS)) {
      for (String e : values.get(Flag.ETCD_ENDPOINTS).split(",")) {
        String endpoint = e.strip();
        if (!endpoint.isEmpty()) {
          endpoints.add(checkEndpoint(endpoint));
        }
      }
      if (endpoints.isEmpty()) {
        throw new ConfigException(Flag.ETCD_ENDPOINTS.name, "lists no endpoint");
      }
    }

    List<Flag> etcdFileFlags = List.of(Flag.ETCD_CA_FILE, Flag.ETCD_CERT_FILE, Flag.ETCD_KEY_FILE);
    long given = etcdFileFlags.stream().filter(values::containsKey).count();
    Optional<AgentConfig.EtcdFiles> etcdFiles = Optional.empty();
    if (given > 0) {
      for (Flag f : etcdFileFlags) {
        if (!values.containsKey(f)) {
          throw new ConfigException(f.name, "missing: --etcd-ca-file, --etcd-cert-file and --etcd-key-file go together");
        }
        if (!Files.isReadable(Path.of(values.get(f)))) {
          throw new ConfigException(f.name, values.get(f) + " is missing or unreadable");
        }
      }
      etcdFiles = Optional.of(new AgentConfig.EtcdFiles(Path.of(values.get(Flag.ETCD_CA_FILE)),
          Path.of(values.get(Flag.ETCD_CERT_FILE)), Path.of(values.get(Flag.ETCD_KEY_FILE))));
    }
    return new AgentConfig(host, port, certDir, clusterName, kubeconfig, interval, endpoints, etcdFiles);
  }

  /**
   * Refuses credentials for another cluster than {@code --cluster-name} names (when it is given):
   * the Secret of one member mounted into another's agent.
   */
  public static void crossCheck(AgentConfig config, AgentCredentials credentials) {
    config.clusterName().ifPresent(name -> {
      if (!name.equals(credentials.cluster())) {
        throw new ConfigException(Flag.CLUSTER_NAME.name, "\"" + name + "\", but " + config.certDir().resolve(AgentCredentials.CERT_FILE)
            + " is for cluster \"" + credentials.cluster() + "\" (CN " + HealthReports.agentCommonName(credentials.cluster()) + ")");
      }
    });
  }

  /** Seconds between reports, within the range both ends accept; the message names {@code --interval}. */
  public static int parseInterval(String raw) {
    int seconds;
    try {
      seconds = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < HealthReports.MIN_INTERVAL_SECONDS || seconds > HealthReports.MAX_INTERVAL_SECONDS) {
      throw new ConfigException(Flag.INTERVAL.name, "\"" + raw + "\" must be a whole number of seconds from "
          + HealthReports.MIN_INTERVAL_SECONDS + " to " + HealthReports.MAX_INTERVAL_SECONDS);
    }
    return seconds;
  }

  private static String checkEndpoint(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
      throw new ConfigException(Flag.ETCD_ENDPOINTS.name, "\"" + endpoint + "\" must be https://HOST:PORT (the mesh etcd speaks only mTLS)");
    }
    return endpoint;
  }

  private static int parsePort(String raw) {
    try {
      int port = Integer.parseInt(raw);
      return port >= 1 && port <= 65535 ? port : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String required(Map<Flag, String> values, Flag flag) {
    String value = values.get(flag);
    if (value == null || value.isBlank()) {
      throw new ConfigException(flag.name, "required (or set " + flag.env + ")");
    }
    return value.strip();
  }
}
