package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.controller.election.Fence;
import io.meshfed.controller.election.LeadershipLostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p><b>Fenced.</b> Both steps are leader-only writes behind the {@link Fence}: a replica deposed
 * during the grace period must not delete anything later (the new leader's orphan sweep finishes
 * the job). A refused step is not retried; the fence is told.
 *
 * <p><b>Rejoin safe.</b> Each step runs only while the cluster has no member record (when the
 * remover knows where records live), and the data step only while the cluster config is still
 * absent: a cluster that left and joined again within the grace period has a live session that
 * wrote its config first (spec 1.3), and neither its config nor its data may be wiped; keys of the
 * old incarnation go with that session's stale sweep after its first full list.
 *
 * <p>One removal per cluster at a time: asking again while one is under way (the leave and the
 * leader's orphan sweep both see the cluster) joins the one in progress.
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
   * @param rejoined             true when the data was left alone because the cluster config was
   *                             back by the end of the grace period (the cluster joined again)
   */
  public record Removal(ClusterName cluster, long clusterConfigDeleted, long dataKeysDeleted, boolean rejoined) {
    public Removal(ClusterName cluster, long clusterConfigDeleted, long dataKeysDeleted) {
      this(cluster, clusterConfigDeleted, dataKeysDeleted, false);
    }
  }

  private final KV kv;
  private final Duration grace;
  private final Duration requestTimeout;
  private final Fence fence;
  private final String membersPrefix;
  private final ConcurrentHashMap<ClusterName, CompletableFuture<Removal>> inProgress = new ConcurrentHashMap<>();

  /**
   * @param grace wait between deleting the cluster config and the data ({@link #KVSTOREMESH_GRACE},
   *              or zero when agents need not be given time, e.g. in tests)
   */
  public ClusterDataRemover(Client client, Duration grace, Duration requestTimeout) {
    this(client, grace, requestTimeout, Fence.unfenced(), null);
  }

  /**
   * As {@link #ClusterDataRemover(Client, Duration, Duration)}, every transaction behind {@code fence}
   * and skipped while {@code membersPrefix + cluster} (the member record) exists.
   */
  public ClusterDataRemover(Client client, Duration grace, Duration requestTimeout, Fence fence, String membersPrefix) {
    this.kv = client.getKVClient();
    this.grace = Objects.requireNonNull(grace, "grace");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.fence = Objects.requireNonNull(fence, "fence");
    this.membersPrefix = membersPrefix;
  }

  /**
   * Deletes the cluster config of {@code cluster}, waits the grace period, then its data; joins a
   * removal of the same cluster already under way.
   */
  public CompletableFuture<Removal> remove(ClusterName cluster) {
    CompletableFuture<Removal> started = new CompletableFuture<>();
    CompletableFuture<Removal> running = inProgress.putIfAbsent(cluster, started);
    if (running != null) {
      LOG.info("cluster={} op=remove-data result=joined (a removal is already under way)", cluster);
      return running;
    }
    start(cluster).whenComplete((removal, error) -> {
      inProgress.remove(cluster, started);
      if (error == null) {
        started.complete(removal);
      } else {
        started.completeExceptionally(error);
      }
    });
    return started;
  }

  private CompletableFuture<Removal> start(ClusterName cluster) {
    String configKey = CacheKeys.clusterConfig(cluster);
    List<String> prefixes = CacheKeys.clusterDataPrefixes(cluster);
    for (String prefix : prefixes) {
      if (!prefix.endsWith("/")) {
        throw new IllegalStateException("data prefix must end with '/': " + prefix);
      }
    }
    LOG.info("cluster={} op=remove-data step=cluster-config key={} graceMs={}", cluster, configKey, grace.toMillis());
    Op deleteConfig = unlessRejoined(cluster, new Op[] {Op.delete(EtcdCalls.bytes(configKey), DeleteOption.DEFAULT)});
    Op deleteData = unlessRejoined(cluster, prefixes.stream()
        .map(prefix -> Op.delete(EtcdCalls.bytes(prefix), DeleteOption.builder().isPrefix(true).build()))
        .toArray(Op[]::new), absent(configKey));
    return retrying(cluster, "cluster-config", () -> fenced(cluster, "cluster-config", deleteConfig), 1)
        .thenCompose(config -> {
          Executor later = CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS);
          return CompletableFuture.supplyAsync(() -> deleted(config.getTxnResponses().get(0)), later);
        })
        .thenCompose(configDeleted -> retrying(cluster, "data", () -> fenced(cluster, "data", deleteData), 1)
            .thenApply(data -> removal(cluster, configDeleted, data.getTxnResponses().get(0))))
        .whenComplete((removal, error) -> {
          if (error == null) {
            LOG.info("cluster={} op=remove-data result={} clusterConfig={} dataKeys={}", cluster,
                removal.rejoined() ? "rejoined-data-kept" : "ok", removal.clusterConfigDeleted(), removal.dataKeysDeleted());
          } else {
            LOG.warn("cluster={} op=remove-data result={} error=\"{}\"", cluster,
                LeadershipLostException.isCause(error) ? "fenced" : "error", EtcdCalls.unwrap(error).getMessage());
          }
        });
  }

  /** {@code deletes} in an inner transaction that runs only while the member record and {@code alsoAbsent} are absent. */
  private Op unlessRejoined(ClusterName cluster, Op[] deletes, Cmp... alsoAbsent) {
    List<Cmp> guards = new java.util.ArrayList<>(List.of(alsoAbsent));
    if (membersPrefix != null) {
      guards.add(absent(membersPrefix + cluster.value()));
    }
    return Op.txn(guards.toArray(Cmp[]::new), deletes, new Op[0]);
  }

  /** Holds while {@code key} does not exist (a missing key's create revision is 0). */
  private static Cmp absent(String key) {
    return new Cmp(EtcdCalls.bytes(key), Cmp.Op.EQUAL, CmpTarget.createRevision(0));
  }

  private static long deleted(TxnResponse inner) {
    return inner.getDeleteResponses().stream().mapToLong(r -> r.getDeleted()).sum();
  }

  /** {@code op} behind the fence; a refusal by etcd is reported to the fence and fails as lost leadership. */
  private CompletableFuture<TxnResponse> fenced(ClusterName cluster, String step, Op op) {
    Cmp[] compares;
    try {
      compares = fence.compares();
    } catch (LeadershipLostException e) {
      return CompletableFuture.failedFuture(e);
    }
    return kv.txn().If(compares).Then(op).commit().thenApply(r -> {
      if (!r.isSucceeded()) {
        fence.refused("cluster=" + cluster + " remove-data " + step + ": etcd refused the fenced delete");
        throw new LeadershipLostException("etcd refused the fenced delete of the " + step + " (the leader key changed)");
      }
      return r;
    });
  }

  private static Removal removal(ClusterName cluster, long configDeleted, TxnResponse data) {
    if (!data.isSucceeded()) {
      return new Removal(cluster, configDeleted, 0, true);
    }
    return new Removal(cluster, configDeleted, deleted(data), false);
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
          if (LeadershipLostException.isCause(error)) {
            // Not transient: another replica leads now and its orphan sweep finishes the removal.
            return CompletableFuture.<T>failedFuture(EtcdCalls.unwrap(error));
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
