package io.meshfed.agent.collect;

import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.api.health.v1.HealthReport;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the collectors on the caller's thread, in two groups per tick:
 *
 * <ul>
 *   <li><b>cheap</b>, every tick: {@code GET /version}, the cilium DaemonSet and cilium-config,
 *       the mounted certificate files. A change there is reported within one tick.</li>
 *   <li><b>expensive</b>, once per report interval: Nodes, object counts, the cilium-clustermesh
 *       Secret with the etcd probe, meshfed-managed policies.</li>
 * </ul>
 *
 * <p>After each group the snapshot goes to {@code publish}, so the very first report leaves as
 * soon as the cheap group is done (the expensive sections are then absent: "not collected yet").
 * A collector that throws gets its error fields filled and the others run on; while the API server
 * is unreachable the collectors that need it are skipped with that reason. Every change of a
 * collector's error is logged once, not every tick.
 */
public final class HealthCollector {
  private static final Logger LOG = LoggerFactory.getLogger(HealthCollector.class);

  private final String cluster;
  private final String agentVersion;
  private final Instant startedAt;
  private final List<Collector> cheap;
  private final List<Collector> expensive;
  private final Results results = new Results();
  private final Map<String, String> loggedErrors = new HashMap<>();
  private Instant lastExpensive;

  HealthCollector(String cluster, String agentVersion, Instant startedAt, List<Collector> cheap, List<Collector> expensive) {
    this.cluster = cluster;
    this.agentVersion = agentVersion;
    this.startedAt = startedAt;
    this.cheap = List.copyOf(cheap);
    this.expensive = List.copyOf(expensive);
  }

  /**
   * The agent's collectors.
   *
   * @param onRenewed called (on the collector thread) with new credentials when the mounted files were renewed
   */
  public static HealthCollector create(AgentConfig config, AgentCredentials credentials, KubeAccess kube, EtcdProbe etcd,
      String agentVersion, Instant startedAt, Consumer<AgentCredentials> onRenewed) {
    ObjectCounter counter = new ObjectCounter();
    return new HealthCollector(credentials.cluster(), agentVersion, startedAt,
        List.of(new KubernetesProbe(kube), new CiliumCollector(kube, credentials.cluster()),
            new MountedCertificates(config.certDir(), credentials, onRenewed)),
        List.of(new NodeCollector(kube), new CountCollector(kube, counter),
            new ClusterMeshCollector(kube, etcd, config.etcdEndpoints(), config.etcdFiles()),
            new PolicyCollector(kube, counter)));
  }

  /** One tick at {@code now}: the cheap group, then the expensive one if {@code interval} passed since it last ran. */
  public void tick(Instant now, Duration interval, Consumer<HealthReport> publish) {
    run(cheap);
    publish.accept(snapshot());
    if (lastExpensive == null || !now.isBefore(lastExpensive.plus(interval))) {
      lastExpensive = now;
      run(expensive);
      publish.accept(snapshot());
    }
  }

  /** What the collectors saw last, with the agent's header; no sequence number or send time yet. */
  public HealthReport snapshot() {
    return results.toReport()
        .setAgentVersion(agentVersion)
        .setClusterName(cluster)
        .setAgentStartedAt(startedAt.toEpochMilli())
        .build();
  }

  private void run(List<Collector> collectors) {
    for (Collector c : collectors) {
      if (Thread.currentThread().isInterrupted()) {
        return;  // the agent is closing: no more reads, and nothing to log
      }
      if (c.needsKubernetes() && results.kubernetes != null && !results.kubernetes.getReachable()) {
        c.fail(results, "skipped: the Kubernetes API is unreachable (" + results.kubernetes.getError() + ")");
      } else {
        try {
          c.collect(results);
        } catch (RuntimeException e) {
          c.fail(results, "collector " + c.name() + " failed: " + Errors.text(e));
          LOG.warn("cluster={} op=collect.{} result=exception", cluster, c.name(), e);
        }
      }
      if (!Thread.currentThread().isInterrupted()) {
        logChange(c);
      }
    }
  }

  private void logChange(Collector c) {
    String error = c.error(results);
    String before = loggedErrors.getOrDefault(c.name(), "");
    if (error.equals(before)) {
      return;
    }
    loggedErrors.put(c.name(), error);
    if (error.isEmpty()) {
      LOG.info("cluster={} op=collect.{} result=ok (error cleared)", cluster, c.name());
    } else {
      LOG.warn("cluster={} op=collect.{} result=error error=\"{}\"", cluster, c.name(), error);
    }
  }
}
