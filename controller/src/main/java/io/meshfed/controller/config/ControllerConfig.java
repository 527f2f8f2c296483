package io.meshfed.controller.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code meshfed controller --config FILE}: the file bootstrap writes, then environment
 * ({@code MESHFED_LISTEN_HOST}, {@code MESHFED_LISTEN_PORT}, {@code MESHFED_ETCD_ENDPOINTS}), then
 * flags, later ones winning. Relative paths are resolved against the file's directory. Validated
 * as a whole at start; every problem names its field.
 */
public record ControllerConfig(
    String mesh, Listen listen, String advertiseUrl, Etcd etcd, Tls tls, String passphraseFile, Integer workerPoolSize,
    Integer leaveGraceSeconds,
    Integer cacheTtlSeconds,
    Integer grpcPort,
    Integer reportIntervalSeconds,
    Integer syncAuditSeconds,
    Integer policyResyncSeconds,
    Integer joinRatePerMinute,
    Integer tokenRatePerMinute,
    Integer healthStreamIdleIntervals,
    Integer leaderLeaseSeconds) {

  /**
   * TTL of the leader election lease (MESHFED_LEADER_LEASE_SECONDS): a crashed leader is replaced
   * within about this long; a leader that cannot renew for most of it steps down.
   */
  public static final int DEFAULT_LEADER_LEASE_SECONDS = 15;

  /** How often sync sessions compare members' listings with their caches (MESHFED_SYNC_AUDIT_SECONDS); 0 = never. */
  public static final int DEFAULT_SYNC_AUDIT_SECONDS = 600;

  /** Where agents stream health (gRPC over mTLS), unless {@code grpcPort} or MESHFED_GRPC_PORT says otherwise; 0 = any free port. */
  public static final int DEFAULT_GRPC_PORT = 9443;
  /** The report interval the controller sets in every agent (MESHFED_REPORT_INTERVAL_SECONDS). */
  public static final int DEFAULT_REPORT_INTERVAL_SECONDS = 10;

  /**
   * {@code cacheTtlSeconds}: like Cilium's {@code clustermesh-cache-ttl}, how long an unreachable
   * member's global services stay in the cache before they are revoked (0, the default, keeps them).
   */
  /** How often the policy rollout reconciles every member in full (besides the immediate triggers). */
  public static final int DEFAULT_POLICY_RESYNC_SECONDS = 30;
  /** Join and preflight requests per minute per client IP (MESHFED_JOIN_RATE_PER_MINUTE); 0 = unlimited. */
  public static final int DEFAULT_JOIN_RATE_PER_MINUTE = 10;
  /** Token creations per minute per admin certificate (MESHFED_TOKEN_RATE_PER_MINUTE); 0 = unlimited. */
  public static final int DEFAULT_TOKEN_RATE_PER_MINUTE = 30;
  /**
   * Report intervals without a whole report after which a health stream is refused
   * (MESHFED_HEALTH_STREAM_IDLE_INTERVALS); 0 = never.
   */
  public static final int DEFAULT_HEALTH_STREAM_IDLE_INTERVALS = 4;

  /** KVStoreMesh's grace between deleting a cluster's config and its data (spec 1.3): agents disconnect first. */
  public static final int DEFAULT_LEAVE_GRACE_SECONDS = 180;

  /** Where the HTTPS API listens. */
  public record Listen(String host, Integer port) {}

  /** How the controller reaches etcd (mTLS; its user is the certificate CN). */
  public record Etcd(List<String> endpoints, String trustedCaFile, String certFile, String keyFile) {}

  /** The controller's server certificate and the bundle that client certificates must chain to. */
  public record Tls(String certFile, String keyFile, String trustedCaFile) {}

  public static ControllerConfig load(Path file, Map<String, String> env, String listenOverride, List<String> etcdOverride) {
    ControllerConfig raw = YamlFiles.read(file, ControllerConfig.class);
    Path base = file.toAbsolutePath().getParent();
    Listen listen = raw.listen() == null ? new Listen("127.0.0.1", 8443) : raw.listen();
    String host = firstNonNull(env.get("MESHFED_LISTEN_HOST"), listen.host(), "127.0.0.1");
    Integer port = listen.port() == null ? 8443 : listen.port();
    if (env.get("MESHFED_LISTEN_PORT") != null) {
      port = parsePort("MESHFED_LISTEN_PORT", env.get("MESHFED_LISTEN_PORT"));
    }
    if (listenOverride != null) {
      int colon = listenOverride.lastIndexOf(':');
      if (colon < 0) {
        throw new ConfigException("--listen", "must be HOST:PORT, got \"" + listenOverride + "\"");
      }
      host = listenOverride.substring(0, colon);
      port = parsePort("--listen", listenOverride.substring(colon + 1));
    }
    Etcd etcd = raw.etcd() == null ? new Etcd(List.of(), null, null, null) : raw.etcd();
    List<String> endpoints = etcd.endpoints() == null ? List.of() : etcd.endpoints();
    if (env.get("MESHFED_ETCD_ENDPOINTS") != null) {
      endpoints = Arrays.stream(env.get("MESHFED_ETCD_ENDPOINTS").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
    if (etcdOverride != null && !etcdOverride.isEmpty()) {
      endpoints = etcdOverride;
    }
    Tls tls = raw.tls() == null ? new Tls(null, null, null) : raw.tls();
    ControllerConfig c = new ControllerConfig(
        raw.mesh(),
        new Listen(host, port),
        raw.advertiseUrl(),
        new Etcd(endpoints, resolve(base, etcd.trustedCaFile()), resolve(base, etcd.certFile()), resolve(base, etcd.keyFile())),
        new Tls(resolve(base, tls.certFile()), resolve(base, tls.keyFile()), resolve(base, tls.trustedCaFile())),
        resolve(base, raw.passphraseFile()),
        raw.workerPoolSize() == null ? 8 : raw.workerPoolSize(),
        env.get("MESHFED_LEAVE_GRACE_SECONDS") != null ? parseSeconds("MESHFED_LEAVE_GRACE_SECONDS", env.get("MESHFED_LEAVE_GRACE_SECONDS"))
            : raw.leaveGraceSeconds() == null ? DEFAULT_LEAVE_GRACE_SECONDS : raw.leaveGraceSeconds(),
        env.get("MESHFED_CACHE_TTL_SECONDS") != null ? parseSeconds("MESHFED_CACHE_TTL_SECONDS", env.get("MESHFED_CACHE_TTL_SECONDS"))
            : raw.cacheTtlSeconds() == null ? 0 : raw.cacheTtlSeconds(),
        env.get("MESHFED_GRPC_PORT") != null ? parsePort("MESHFED_GRPC_PORT", env.get("MESHFED_GRPC_PORT"))
            : raw.grpcPort() == null ? DEFAULT_GRPC_PORT : raw.grpcPort(),
        env.get("MESHFED_REPORT_INTERVAL_SECONDS") != null ? parseInterval(env.get("MESHFED_REPORT_INTERVAL_SECONDS"))
            : raw.reportIntervalSeconds() == null ? DEFAULT_REPORT_INTERVAL_SECONDS : raw.reportIntervalSeconds(),
        env.get("MESHFED_SYNC_AUDIT_SECONDS") != null ? parseSeconds("MESHFED_SYNC_AUDIT_SECONDS", env.get("MESHFED_SYNC_AUDIT_SECONDS"))
            : raw.syncAuditSeconds() == null ? DEFAULT_SYNC_AUDIT_SECONDS : raw.syncAuditSeconds(),
        env.get("MESHFED_POLICY_RESYNC_SECONDS") != null ? parseSeconds("MESHFED_POLICY_RESYNC_SECONDS", env.get("MESHFED_POLICY_RESYNC_SECONDS"))
            : raw.policyResyncSeconds() == null ? DEFAULT_POLICY_RESYNC_SECONDS : raw.policyResyncSeconds(),
        env.get("MESHFED_JOIN_RATE_PER_MINUTE") != null ? parseRate("MESHFED_JOIN_RATE_PER_MINUTE", env.get("MESHFED_JOIN_RATE_PER_MINUTE"))
            : raw.joinRatePerMinute() == null ? DEFAULT_JOIN_RATE_PER_MINUTE : raw.joinRatePerMinute(),
        env.get("MESHFED_TOKEN_RATE_PER_MINUTE") != null ? parseRate("MESHFED_TOKEN_RATE_PER_MINUTE", env.get("MESHFED_TOKEN_RATE_PER_MINUTE"))
            : raw.tokenRatePerMinute() == null ? DEFAULT_TOKEN_RATE_PER_MINUTE : raw.tokenRatePerMinute(),
        env.get("MESHFED_HEALTH_STREAM_IDLE_INTERVALS") != null ? parseRate("MESHFED_HEALTH_STREAM_IDLE_INTERVALS", env.get("MESHFED_HEALTH_STREAM_IDLE_INTERVALS"))
            : raw.healthStreamIdleIntervals() == null ? DEFAULT_HEALTH_STREAM_IDLE_INTERVALS : raw.healthStreamIdleIntervals(),
        env.get("MESHFED_LEADER_LEASE_SECONDS") != null ? parseSeconds("MESHFED_LEADER_LEASE_SECONDS", env.get("MESHFED_LEADER_LEASE_SECONDS"))
            : raw.leaderLeaseSeconds() == null ? DEFAULT_LEADER_LEASE_SECONDS : raw.leaderLeaseSeconds());
    c.validate();
    return c;
  }

  /** Every rule at once; the first broken one is thrown with the others listed. */
  public void validate() {
    List<String> problems = new ArrayList<>();
    if (mesh == null || mesh.isBlank()) {
      problems.add("mesh: is required");
    }
    if (listen.port() < 0 || listen.port() > 65535) {
      problems.add("listen.port: must be 0-65535");
    }
    if (etcd.endpoints().isEmpty()) {
      problems.add("etcd.endpoints: at least one https:// endpoint is required");
    }
    for (String e : etcd.endpoints()) {
      if (!e.startsWith("https://")) {
        problems.add("etcd.endpoints: \"" + e + "\" must be https:// (mTLS only)");
      }
    }
    requireFile(problems, "etcd.trustedCaFile", etcd.trustedCaFile());
    requireFile(problems, "etcd.certFile", etcd.certFile());
    requireFile(problems, "etcd.keyFile", etcd.keyFile());
    requireFile(problems, "tls.certFile", tls.certFile());
    requireFile(problems, "tls.keyFile", tls.keyFile());
    requireFile(problems, "tls.trustedCaFile", tls.trustedCaFile());
    if (passphraseFile != null && !Files.isReadable(Path.of(passphraseFile))) {
      problems.add("passphraseFile: " + passphraseFile + " is not readable");
    }
    if (advertiseUrl != null) {
      try {
        URI u = URI.create(advertiseUrl);
        if (!"https".equals(u.getScheme())) {
          problems.add("advertiseUrl: must be https://");
        }
      } catch (IllegalArgumentException e) {
        problems.add("advertiseUrl: not a URL");
      }
    }
    if (syncAuditSeconds != null && syncAuditSeconds < 0) {
      problems.add("syncAuditSeconds: must be 0 (off) or more");
    }
    if (grpcPort != null && (grpcPort < 0 || grpcPort > 65535)) {
      problems.add("grpcPort: must be 0-65535");
    }
    if (reportIntervalSeconds != null && (reportIntervalSeconds < 1 || reportIntervalSeconds > 3600)) {
      problems.add("reportIntervalSeconds: must be 1-3600 seconds");
    }
    if (cacheTtlSeconds != null && cacheTtlSeconds < 0) {
      problems.add("cacheTtlSeconds: must be 0 (keep forever) or more");
    }
    if (leaveGraceSeconds != null && (leaveGraceSeconds < 0 || leaveGraceSeconds > 3600)) {
      problems.add("leaveGraceSeconds: must be 0-3600");
    }
    if (policyResyncSeconds != null && (policyResyncSeconds < 1 || policyResyncSeconds > 3600)) {
      problems.add("policyResyncSeconds: must be 1-3600");
    }
    if (joinRatePerMinute != null && (joinRatePerMinute < 0 || joinRatePerMinute > 100_000)) {
      problems.add("joinRatePerMinute: must be 0 (unlimited) to 100000");
    }
    if (tokenRatePerMinute != null && (tokenRatePerMinute < 0 || tokenRatePerMinute > 100_000)) {
      problems.add("tokenRatePerMinute: must be 0 (unlimited) to 100000");
    }
    if (healthStreamIdleIntervals != null && (healthStreamIdleIntervals < 0 || healthStreamIdleIntervals > 1000)) {
      problems.add("healthStreamIdleIntervals: must be 0 (never) to 1000 report intervals");
    }
    if (leaderLeaseSeconds != null && (leaderLeaseSeconds < 2 || leaderLeaseSeconds > 300)) {
      problems.add("leaderLeaseSeconds: must be 2-300 seconds");
    }
    if (workerPoolSize != null && (workerPoolSize < 1 || workerPoolSize > 256)) {
      problems.add("workerPoolSize: must be 1-256");
    }
    if (!problems.isEmpty()) {
      String first = problems.get(0);
      int colon = first.indexOf(':');
      throw new ConfigException(first.substring(0, colon),
          first.substring(colon + 2) + (problems.size() > 1 ? " (and: " + String.join("; ", problems.subList(1, problems.size())) + ")" : ""));
    }
  }

  private static void requireFile(List<String> problems, String field, String path) {
    if (path == null) {
      problems.add(field + ": is required");
    } else if (!Files.isReadable(Path.of(path))) {
      problems.add(field + ": " + path + " does not exist or is not readable");
    }
  }

  private static int parseInterval(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("MESHFED_REPORT_INTERVAL_SECONDS", "must be a number of seconds (1-3600), got \"" + value + "\"");
    }
  }

  private static int parseRate(String field, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(field, "must be a whole number (0 = off), got \"" + value + "\"");
    }
  }

  private static int parseSeconds(String field, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(field, "must be a number of seconds, got \"" + value + "\"");
    }
  }

  private static int parsePort(String field, String value) {
    try {
      int p = Integer.parseInt(value.trim());
      if (p < 0 || p > 65535) {
        throw new ConfigException(field, "port must be 0-65535, got " + p);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new ConfigException(field, "port must be a number, got \"" + value + "\"");
    }
  }

  private static String resolve(Path base, String path) {
    if (path == null) {
      return null;
    }
    Path p = Path.of(path);
    return (p.isAbsolute() ? p : base.resolve(p)).normalize().toString();
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
