package io.meshfed.controller.health;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.meshfed.controller.store.Records;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents' last reports in etcd, {@code meshfed/health/agents/<cluster>}, each under a lease of
 * {@value HealthEvaluator#MISSED_REPORTS} report intervals that only a new report renews: every
 * replica serves the same answer, and the report of an agent that went silent disappears by
 * itself even if the replica that received it died.
 */
public final class AgentReportStore {
  private static final Logger LOG = LoggerFactory.getLogger(AgentReportStore.class);
  public static final String PREFIX = "meshfed/health/agents/";

  private final Client client;
  private final Map<String, Long> leases = new ConcurrentHashMap<>();

  public AgentReportStore(Client client) {
    this.client = client;
  }

  public static String key(String cluster) {
    return PREFIX + cluster;
  }

  /** Stores a report; completes when etcd has it. Never blocks the calling thread. */
  public CompletableFuture<Void> put(AgentSnapshot report) {
    long ttl = Math.max(2, report.intervalSeconds() * HealthEvaluator.MISSED_REPORTS + 1);
    ByteSequence key = bytes(key(report.cluster()));
    ByteSequence value = ByteSequence.from(Records.toJson(report));
    return lease(report.cluster(), ttl)
        .thenCompose(lease -> client.getKVClient().put(key, value, PutOption.builder().withLeaseId(lease).build())
            .thenApply(r -> lease))
        .handle((lease, err) -> {
          if (err == null) {
            // Renew only now: a lease that outlives the reports would keep a silent agent "connected".
            client.getLeaseClient().keepAliveOnce(lease);
            return CompletableFuture.<Void>completedFuture(null);
          }
          // The lease expired or was revoked (etcd restart, long pause): take a new one, once.
          leases.remove(report.cluster());
          LOG.debug("cluster={} op=health.store retry=true error=\"{}\"", report.cluster(), err.getMessage());
          return lease(report.cluster(), ttl)
              .thenCompose(l -> client.getKVClient().put(key, value, PutOption.builder().withLeaseId(l).build()))
              .<Void>thenApply(r -> null);
        })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Long> lease(String cluster, long ttl) {
    Long known = leases.get(cluster);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return client.getLeaseClient().grant(ttl).thenApply(g -> {
      leases.put(cluster, g.getID());
      return g.getID();
    });
  }

  /** Every stored report; a value that is not a report (written by someone else) is skipped and logged. */
  public CompletableFuture<List<AgentSnapshot>> all() {
    return client.getKVClient().get(bytes(PREFIX), GetOption.builder().isPrefix(true).build()).thenApply(r -> {
      List<AgentSnapshot> out = new ArrayList<>();
      for (KeyValue kv : r.getKvs()) {
        String k = kv.getKey().toString(StandardCharsets.UTF_8);
        io.meshfed.controller.store.ForeignValues.read(k, kv.getValue().getBytes(), AgentSnapshot.class,
            s -> s.cluster() == null ? null : key(s.cluster())).ifPresent(out::add);
      }
      return out;
    });
  }

  /** Drops a member's report (it left). */
  public CompletableFuture<Void> remove(String cluster) {
    leases.remove(cluster);
    return client.getKVClient().delete(bytes(key(cluster))).thenApply(r -> null);
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
