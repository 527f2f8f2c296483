package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a member's keys from the mesh etcd when it leaves or when its data is revoked after
 * {@code cacheTTL}, in KVStoreMesh's order (spec 1.3): first {@code cilium/cluster-config/<c>},
 * so agents stop treating the cluster as ready and disconnect, then (after {@code grace}) its
 * canaries and every data prefix ({@link CacheKeys#clusterDataPrefixes}) in one transaction.
 * Prefixes end with {@code /}: deleting {@code c1} never touches {@code c10}; the cluster config
 * is deleted as an exact key for the same reason.
 *
 * <p>Close the member's {@link CacheWriter} and {@link SyncMarkers} first, or they would put keys
 * back. Asynchronous (the grace period is 3 minutes in KVStoreMesh): the future completes when
 * both steps are done; each step is tried up to 6 times, with back-off doubling from 2 s.
 */
public final class ClusterDataRemover {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDataRemover.class);

  /** KVStoreMesh's wait between the cluster config and the data, so agents disconnect first. */
  public static final Duration KVSTOREMESH_GRACE = Duration.ofMinutes(3);
  private static final int ATTEMPTS = 6;
  private static final Duration FIRST_RETRY = Duration.ofSeconds(2);

  /**
   * What was deleted.
   *
   * @param cluster              the cluster
   * @param clusterConfigDeleted 1 if the cluster config existed, else 0
   * @param dataKeysDeleted      canaries and data keys deleted
   */
  public record Removal(ClusterName cluster, long clusterConfigDeleted, long dataKeysDeleted) {
  }

  private final KV kv;
  private final Duration grace;
  private final Duration requestTimeout;

  /**
   * @param grace wait between deleting the cluster config and the data ({@link #KVSTOREMESH_GRACE},
   *              or zero when agents need not be given time, e.g. in tests)
   */
  public ClusterDataRemover(Client client, Duration grace, Duration requestTimeout) {
    this.kv = client.getKVClient();
    this.grace = Objects.requireNonNull(grace, "grace");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /** Deletes the cluster config of {@code cluster}, waits the grace period, then its data. */
  public CompletableFuture<Removal> remove(ClusterName cluster) {
    String configKey = CacheKeys.clusterConfig(cluster);
    List<String> prefixes = CacheKeys.clusterDataPrefixes(cluster);
    for (String prefix : prefixes) {
      if (!prefix.endsWith("/")) {
        throw new IllegalStateException("data prefix must end with '/': " + prefix);
      }
    }
    LOG.info("cluster={} op=remove-data step=cluster-config key={} graceMs={}", cluster, configKey, grace.toMillis());
    return retrying(cluster, "cluster-config", () -> kv.delete(EtcdCalls.bytes(configKey)), 1)
        .thenCompose(config -> {
          Executor later = CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS);
          return CompletableFuture.supplyAsync(() -> config.getDeleted(), later);
        })
        .thenCompose(configDeleted -> retrying(cluster, "data", () -> deletePrefixes(prefixes), 1)
            .thenApply(data -> new Removal(cluster, configDeleted, deletedCount(data))))
        .whenComplete((removal, error) -> {
          if (error == null) {
            LOG.info("cluster={} op=remove-data result=ok clusterConfig={} dataKeys={}", cluster,
                removal.clusterConfigDeleted(), removal.dataKeysDeleted());
          } else {
            LOG.warn("cluster={} op=remove-data result=error error=\"{}\"", cluster, EtcdCalls.unwrap(error).getMessage());
          }
        });
  }

  private CompletableFuture<TxnResponse> deletePrefixes(List<String> prefixes) {
    Op[] ops = prefixes.stream()
        .map(prefix -> Op.delete(EtcdCalls.bytes(prefix), DeleteOption.builder().isPrefix(true).build()))
        .toArray(Op[]::new);
    return kv.txn().Then(ops).commit();
  }

  private static long deletedCount(TxnResponse response) {
    return response.getDeleteResponses().stream().mapToLong(r -> r.getDeleted()).sum();
  }

  /** Runs {@code call}; on failure tries again after 2 s, 4 s, ... up to {@value #ATTEMPTS} attempts. */
  private <T> CompletableFuture<T> retrying(ClusterName cluster, String step, Supplier<CompletableFuture<T>> call,
      int attempt) {
    return call.get()
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, error) -> {
          if (error == null) {
            return CompletableFuture.completedFuture(result);
          }
          if (attempt >= ATTEMPTS) {
            return CompletableFuture.<T>failedFuture(new CacheWriteException("cluster=" + cluster + ": removing the "
                + step + " failed " + attempt + " times: " + EtcdCalls.unwrap(error).getMessage(), error));
          }
          long delay = FIRST_RETRY.toMillis() << (attempt - 1);
          LOG.warn("cluster={} op=remove-data step={} attempt={} result=error retryInMs={} error=\"{}\"", cluster, step,
              attempt, delay, EtcdCalls.unwrap(error).getMessage());
          Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS);
          return CompletableFuture.supplyAsync(() -> null, later)
              .thenCompose(v -> retrying(cluster, step, call, attempt + 1));
        })
        .thenCompose(f -> f);
  }
}
