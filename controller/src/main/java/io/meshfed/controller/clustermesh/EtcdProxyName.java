package io.meshfed.controller.clustermesh;

import io.meshfed.api.cluster.Finding;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of a member's etcd gRPC proxy as the agent chart renders it: its Deployment and Service
 * are {@code <fullname>-etcd-proxy} in {@code meshfed-system}, and the chart mounts the Secrets
 * {@code <fullname>-etcd-proxy-upstream} and {@code <fullname>-etcd-proxy-server}. One name thus
 * fixes the Service the member's Cilium agents dial and the two Secrets the controller fills. The
 * chart's default release {@code meshfed-agent} gives {@value #DEFAULT}; another release (or a
 * {@code fullnameOverride}) gives another name, which join must be told.
 */
public record EtcdProxyName(String value) {
  public static final String SUFFIX = "-etcd-proxy";
  public static final String DEFAULT = "meshfed-agent" + SUFFIX;
  public static final String NAMESPACE = "meshfed-system";
  /** The chart's Service port ({@code etcdProxy.service.port}); the controller writes this port. */
  public static final int PORT = 2379;
  /** The chart truncates the fullname to 52 characters before adding the suffix. */
  private static final int MAX_FULLNAME = 52;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  public EtcdProxyName {
    check("etcd-proxy-name", value).ifPresent(f -> {
      throw new IllegalArgumentException(f.message());
    });
  }

  /** Why {@code value} cannot name a proxy, as a finding on {@code field}; empty when it can. */
  public static Optional<Finding> check(String field, String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of(Finding.of(field, "must not be empty when the etcd proxy is on"));
    }
    if (!value.endsWith(SUFFIX) || value.length() == SUFFIX.length()) {
      return Optional.of(new Finding(field, value, "must be <agent chart fullname>" + SUFFIX + " (the chart names the proxy so; default " + DEFAULT + ")"));
    }
    String fullname = value.substring(0, value.length() - SUFFIX.length());
    if (fullname.length() > MAX_FULLNAME || !DNS_LABEL.matcher(value).matches()) {
      return Optional.of(new Finding(field, value, "must be a DNS label of [a-z0-9-], starting with a letter, at most "
          + (MAX_FULLNAME + SUFFIX.length()) + " characters (it names a Service)"));
    }
    return Optional.empty();
  }

  /** The agent chart's fullname this proxy belongs to ({@code fullnameOverride} when not the default). */
  public String chartFullname() {
    return value.substring(0, value.length() - SUFFIX.length());
  }

  /** What the member's Cilium agents dial: the proxy Service's in-cluster URL. */
  public String serviceUrl() {
    return "https://" + value + "." + NAMESPACE + ".svc:" + PORT;
  }

  /** DNS names of the proxy's serving certificate: every form a pod may use for the Service. */
  public List<String> dnsNames() {
    return List.of(value + "." + NAMESPACE + ".svc", value + "." + NAMESPACE + ".svc.cluster.local", value + "." + NAMESPACE, value);
  }

  /** {@code ca.crt} (the mesh etcd's roots), {@code tls.crt}, {@code tls.key}: the proxy's CN-less upstream certificate. */
  public String upstreamSecret() {
    return value + "-upstream";
  }

  /** {@code ca.crt} (roots of the agents' client certificates), {@code tls.crt}, {@code tls.key}: what the proxy serves. */
  public String serverSecret() {
    return value + "-server";
  }

  @Override
  public String toString() {
    return value;
  }
}
