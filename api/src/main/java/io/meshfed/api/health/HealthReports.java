package io.meshfed.api.health;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.Findings;
import io.meshfed.api.health.v1.CertificateSource;
import io.meshfed.api.health.v1.CertificateStatus;
import io.meshfed.api.health.v1.CiliumStatus;
import io.meshfed.api.health.v1.EtcdStatus;
import io.meshfed.api.health.v1.HealthReport;
import io.meshfed.api.health.v1.KubernetesStatus;
import io.meshfed.api.health.v1.NodeStatus;
import io.meshfed.api.health.v1.ObjectCount;
import io.meshfed.api.health.v1.ObjectCounts;
import io.meshfed.api.health.v1.PolicyKind;
import io.meshfed.api.health.v1.PolicyStatus;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * What both ends of the {@code MeshHealth} stream agree on: message-size and list limits, the
 * report-interval range, the agent certificate's CN form, and the validation a receiver applies to
 * every {@link HealthReport} ({@link #validate}). Checking that sequence numbers increase needs
 * state, so it is the caller's.
 *
 * <pre>{@code
 * List<Finding> findings = HealthReports.validate(report);
 * if (!findings.isEmpty()) {
 *   // refuse: Refusal{code: REFUSAL_CODE_INVALID_REPORT, reason: HealthReports.describe(findings)}
 * }
 * }</pre>
 */
public final class HealthReports {

  /** The largest message either side sends or accepts (the gRPC max message size of both ends). */
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;
  /** Report intervals the agent accepts, on its command line and in {@code Settings}. */
  public static final int MIN_INTERVAL_SECONDS = 1;
  public static final int MAX_INTERVAL_SECONDS = 3600;
  public static final int DEFAULT_INTERVAL_SECONDS = 10;
  /** At most this many certificates per report; the agent sets {@code certificates_truncated} beyond. */
  public static final int MAX_CERTIFICATES = 64;
  /** At most this many policies per report; the agent sets {@code policies_truncated} beyond. */
  public static final int MAX_POLICIES = 1000;
  /** Error texts are one line of at most this many characters. */
  public static final int MAX_ERROR_CHARS = 1024;
  /** Kubernetes object names (DNS subdomains) and certificate source names. */
  public static final int MAX_NAME_CHARS = 253;
  public static final int MAX_NAMESPACE_CHARS = 63;
  public static final int MAX_HASH_CHARS = 128;
  public static final int MAX_VERSION_CHARS = 64;
  public static final int MAX_SUBJECT_CHARS = 1024;
  /** An agent certificate's CN is this prefix followed by the member's cluster name. */
  public static final String AGENT_CN_PREFIX = "agent.";

  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private HealthReports() {}

  /** gRPC server options with {@link #MAX_MESSAGE_BYTES} as the max message size. */
  public static GrpcServerOptions serverOptions() {
    return new GrpcServerOptions().setMaxMessageSize(MAX_MESSAGE_BYTES);
  }

  /** gRPC client options with {@link #MAX_MESSAGE_BYTES} as the max message size. */
  public static GrpcClientOptions clientOptions() {
    return new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE_BYTES);
  }

  /** The CN an agent certificate of {@code cluster} carries: {@code agent.<cluster>}. */
  public static String agentCommonName(String cluster) {
    return AGENT_CN_PREFIX + cluster;
  }

  /**
   * The cluster an agent certificate speaks for: the valid cluster name after {@value #AGENT_CN_PREFIX}
   * in its CN, or empty when the CN is not of that form (then it is not an agent certificate).
   */
  public static Optional<String> clusterOfAgent(String commonName) {
    if (commonName == null || !commonName.startsWith(AGENT_CN_PREFIX)) {
      return Optional.empty();
    }
    String cluster = commonName.substring(AGENT_CN_PREFIX.length());
    return ClusterName.isValid(cluster) ? Optional.of(cluster) : Optional.empty();
  }

  /** True when the report's encoding fits {@link #MAX_MESSAGE_BYTES}. */
  public static boolean fits(HealthReport report) {
    return report.getSerializedSize() <= MAX_MESSAGE_BYTES;
  }

  /**
   * The report itself when it fits {@link #MAX_MESSAGE_BYTES}; otherwise a copy without its last
   * policies (then certificates), about as many as needed, with {@code policies_truncated} /
   * {@code certificates_truncated} set. Lists are dropped from the end, so a sender that orders
   * them by importance keeps the important ones.
   */
  public static HealthReport trimToFit(HealthReport report) {
    if (fits(report)) {
      return report;
    }
    HealthReport.Builder b = report.toBuilder();
    int size = b.build().getSerializedSize();
    while (size > MAX_MESSAGE_BYTES && b.getPoliciesCount() > 0) {
      List<PolicyStatus> kept = List.copyOf(b.getPoliciesList().subList(0, shrunk(b.getPoliciesCount(), size)));
      b.clearPolicies().addAllPolicies(kept).setPoliciesTruncated(true);
      size = b.build().getSerializedSize();
    }
    while (size > MAX_MESSAGE_BYTES && b.getCertificatesCount() > 0) {
      List<CertificateStatus> kept = List.copyOf(b.getCertificatesList().subList(0, shrunk(b.getCertificatesCount(), size)));
      b.clearCertificates().addAllCertificates(kept).setCertificatesTruncated(true);
      size = b.build().getSerializedSize();
    }
    return b.build();
  }

  /** How many of {@code count} entries to keep so that a message of {@code size} bytes shrinks under the limit. */
  private static int shrunk(int count, int size) {
    long proportional = (long) count * MAX_MESSAGE_BYTES / size;
    return (int) Math.max(0, Math.min(count - 1, proportional - 1));
  }

  /**
   * Text fit for an {@code error} field: one line (line breaks become "; "), at most
   * {@link #MAX_ERROR_CHARS} characters (cut with "..."), never null.
   */
  public static String errorText(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String line = text.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    return line.length() <= MAX_ERROR_CHARS ? line : line.substring(0, MAX_ERROR_CHARS - 3) + "...";
  }

  /** One line listing the findings, for a {@code Refusal.reason} or a log line. */
  public static String describe(List<Finding> findings) {
    return errorText(String.join("; ", findings.stream().map(Finding::message).toList()));
  }

  /**
   * Every rule the report breaks, in field order; empty when it is acceptable. Never throws for
   * any input (the report comes from another process).
   */
  public static List<Finding> validate(HealthReport report) {
    Findings f = new Findings();
    f.require(report.getSequence() != 0, "sequence", "0", "must be at least 1");
    f.require(report.getSentAt() > 0, "sent_at", Long.toString(report.getSentAt()), "must be a positive Unix time in milliseconds");
    f.require(!report.getAgentVersion().isEmpty(), "agent_version", null, "must not be empty");
    maxChars(f, "agent_version", report.getAgentVersion(), MAX_VERSION_CHARS);
    if (!report.getClusterName().isEmpty()) {
      f.add(ClusterName.check("cluster_name", report.getClusterName()));
    }
    nonNegative(f, "agent_started_at", report.getAgentStartedAt());
    if (report.hasKubernetes()) {
      kubernetes(f, report.getKubernetes());
    }
    if (report.hasCilium()) {
      cilium(f, report.getCilium());
    }
    if (report.hasNodes()) {
      nodes(f, report.getNodes());
    }
    if (report.hasCounts()) {
      counts(f, report.getCounts());
    }
    certificates(f, report);
    policies(f, report);
    if (report.hasEtcd()) {
      etcd(f, report.getEtcd());
    }
    int size = report.getSerializedSize();
    f.require(size <= MAX_MESSAGE_BYTES, "report", size + " bytes", "must be at most " + MAX_MESSAGE_BYTES + " bytes");
    return f.all();
  }

  private static void kubernetes(Findings f, KubernetesStatus k) {
    nonNegative(f, "kubernetes.latency_ms", k.getLatencyMs());
    maxChars(f, "kubernetes.version", k.getVersion(), MAX_VERSION_CHARS);
    error(f, "kubernetes.error", k.getError());
  }

  private static void cilium(Findings f, CiliumStatus c) {
    nonNegative(f, "cilium.daemonset_desired", c.getDaemonsetDesired());
    nonNegative(f, "cilium.daemonset_ready", c.getDaemonsetReady());
    // The observed name is reported as found (a wrong one is what the report is for); only bounded.
    maxChars(f, "cilium.config_cluster_name", c.getConfigClusterName(), MAX_NAME_CHARS);
    nonNegative(f, "cilium.config_cluster_id", c.getConfigClusterId());
    error(f, "cilium.error", c.getError());
  }

  private static void nodes(Findings f, NodeStatus n) {
    nonNegative(f, "nodes.ready", n.getReady());
    nonNegative(f, "nodes.total", n.getTotal());
    f.require(n.getReady() <= n.getTotal(), "nodes.ready", Integer.toString(n.getReady()),
        "must not exceed nodes.total (" + n.getTotal() + ")");
    error(f, "nodes.error", n.getError());
  }

  private static void counts(Findings f, ObjectCounts c) {
    count(f, "counts.identities", c.getIdentities());
    count(f, "counts.endpoints", c.getEndpoints());
    count(f, "counts.cilium_nodes", c.getCiliumNodes());
    count(f, "counts.global_services", c.getGlobalServices());
  }

  private static void count(Findings f, String field, ObjectCount c) {
    nonNegative(f, field + ".count", c.getCount());
    error(f, field + ".error", c.getError());
  }

  private static void certificates(Findings f, HealthReport report) {
    eachCapped(f, "certificates", report.getCertificatesList(), MAX_CERTIFICATES, (field, c) -> {
      f.require(!c.getName().isEmpty(), field + ".name", null, "must not be empty");
      maxChars(f, field + ".name", c.getName(), MAX_NAME_CHARS);
      f.require(c.getSource() == CertificateSource.CERTIFICATE_SOURCE_MOUNTED || c.getSource() == CertificateSource.CERTIFICATE_SOURCE_SECRET,
          field + ".source", c.getSource().toString(), "must be CERTIFICATE_SOURCE_MOUNTED or CERTIFICATE_SOURCE_SECRET");
      f.require(c.getNotAfter() > 0, field + ".not_after", Long.toString(c.getNotAfter()), "must be a positive Unix time in seconds");
      maxChars(f, field + ".subject", c.getSubject(), MAX_SUBJECT_CHARS);
    });
    error(f, "certificates_error", report.getCertificatesError());
  }

  private static void policies(Findings f, HealthReport report) {
    eachCapped(f, "policies", report.getPoliciesList(), MAX_POLICIES, (field, p) -> {
      f.require(p.getName().length() <= MAX_NAME_CHARS && DNS_SUBDOMAIN.matcher(p.getName()).matches(), field + ".name",
          p.getName(), "must be a Kubernetes object name (DNS subdomain, at most " + MAX_NAME_CHARS + " characters)");
      if (p.getKind() == PolicyKind.POLICY_KIND_CILIUM_NETWORK_POLICY) {
        f.require(p.getNamespace().length() <= MAX_NAMESPACE_CHARS && DNS_LABEL.matcher(p.getNamespace()).matches(),
            field + ".namespace", p.getNamespace(), "must be a namespace name (DNS label) for a CiliumNetworkPolicy");
      } else if (p.getKind() == PolicyKind.POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY) {
        f.require(p.getNamespace().isEmpty(), field + ".namespace", p.getNamespace(),
            "must be empty for a CiliumClusterwideNetworkPolicy");
      } else {
        f.add(new Finding(field + ".kind", p.getKind().toString(),
            "must be POLICY_KIND_CILIUM_NETWORK_POLICY or POLICY_KIND_CILIUM_CLUSTERWIDE_NETWORK_POLICY"));
      }
      nonNegative(f, field + ".generation", p.getGeneration());
      maxChars(f, field + ".hash", p.getHash(), MAX_HASH_CHARS);
      error(f, field + ".error", p.getError());
    });
    error(f, "policies_error", report.getPoliciesError());
  }

  /** The list's length limit, then {@code check} for each entry up to it, with the entry's field path {@code name[i]}. */
  private static <T> void eachCapped(Findings f, String name, List<T> entries, int max, BiConsumer<String, T> check) {
    f.require(entries.size() <= max, name, entries.size() + " entries", "must have at most " + max + " entries");
    for (int i = 0; i < Math.min(entries.size(), max); i++) {
      check.accept(name + "[" + i + "]", entries.get(i));
    }
  }

  private static void etcd(Findings f, EtcdStatus e) {
    nonNegative(f, "etcd.handshake_ms", e.getHandshakeMs());
    f.require(e.getHeartbeatAgeSeconds() >= -1, "etcd.heartbeat_age_seconds", Long.toString(e.getHeartbeatAgeSeconds()),
        "must be -1 (unknown) or more");
    maxChars(f, "etcd.endpoint", e.getEndpoint(), MAX_NAME_CHARS);
    error(f, "etcd.error", e.getError());
  }

  private static void nonNegative(Findings f, String field, long value) {
    f.require(value >= 0, field, Long.toString(value), "must not be negative");
  }

  private static void maxChars(Findings f, String field, String value, int max) {
    if (value.length() > max) {
      f.add(new Finding(field, null, "must be at most " + max + " characters (has " + value.length() + ")"));
    }
  }

  private static void error(Findings f, String field, String value) {
    maxChars(f, field, value, MAX_ERROR_CHARS);
    f.require(value.indexOf('\n') < 0 && value.indexOf('\r') < 0, field, null, "must be one line");
  }
}
