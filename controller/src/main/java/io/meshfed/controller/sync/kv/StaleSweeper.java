package io.meshfed.controller.sync.kv;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.meshfed.api.kvstore.CacheType;
import io.meshfed.controller.sync.kv.EtcdCalls.EtcdCallException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what an earlier life of the controller left behind (spec 1.5 item 6, issue 4 item 5):
 * after a member's initial list of a type is written and flushed, every key under that member's
 * prefix of the type ({@link CacheType#prefix}, which ends with {@code /}, so {@code c1} never
 * touches {@code c10}) that the session did not write is stale.
 *
 * <p>The deletes go through the member's {@link CacheWriter} (batched like every write) and only
 * for keys the session does not want at that moment, decided atomically with the queueing: a key
 * the session writes while the sweep runs is never swept. Blocking: call it from the session's
 * thread, not from an event loop.
 */
public final class StaleSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(StaleSweeper.class);
  private static final int PAGE = 1000;
  /** Listings restarted after a compaction before giving up; each needs a compaction mid-listing. */
  private static final int MAX_RELISTS = 3;

  private final KV kv;
  private final CacheWriter writer;
  private final Duration timeout;

  /**
   * @param timeout for each page of the listing, and for the final flush of the deletes
   */
  public StaleSweeper(Client client, CacheWriter writer, Duration timeout) {
    this.kv = client.getKVClient();
    this.writer = writer;
    this.timeout = timeout;
  }

  /**
   * Deletes the keys of {@code type} under the writer's cluster that are not in {@code keep} (the
   * keys the session wrote) and not wanted by the writer, and waits until the deletes are in etcd.
   *
   * @return how many keys were deleted
   * @throws CacheWriteException when etcd cannot be listed or the deletes do not land in time
   */
  public int sweep(CacheType type, Set<String> keep) {
    String prefix = type.prefix(writer.cluster());
    List<String> stale = new ArrayList<>();
    for (String key : listKeys(prefix)) {
      if (!keep.contains(key)) {
        stale.add(key);
      }
    }
    int deleted = 0;
    for (String key : stale) {
      if (writer.deleteIfUnwanted(key)) {
        deleted++;
      }
    }
    try {
      writer.flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException("cluster=" + writer.cluster() + ": interrupted while sweeping " + prefix, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new CacheWriteException("cluster=" + writer.cluster() + ": the stale-key deletes under " + prefix
          + " did not land within " + timeout.toMillis() + " ms", e);
    }
    LOG.info("cluster={} op=sweep type={} prefix={} kept={} deleted={}", writer.cluster(), type.segment(), prefix,
        keep.size(), deleted);
    return deleted;
  }

  /**
   * Every key under {@code prefix}, keys only, in pages, all from one revision. A compaction
   * between two pages makes that revision unreadable; then the listing starts again from the
   * current revision, a few times at most.
   */
  private List<String> listKeys(String prefix) {
    List<String> keys = new ArrayList<>();
    ByteSequence end = OptionsUtil.prefixEndOf(EtcdCalls.bytes(prefix));
    ByteSequence from = EtcdCalls.bytes(prefix);
    long revision = 0;
    int relists = 0;
    while (true) {
      GetOption.Builder option = GetOption.builder().withRange(end).withKeysOnly(true).withLimit(PAGE)
          .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
      if (revision != 0) {
        option.withRevision(revision);
      }
      GetResponse page;
      try {
        page = EtcdCalls.await(kv.get(from, option.build()), timeout);
      } catch (EtcdCallException e) {
        if (revision != 0 && relists < MAX_RELISTS && EtcdCalls.isCompacted(e)) {
          relists++;
          LOG.info("cluster={} op=sweep prefix={} revision={} result=compacted action=list-again", writer.cluster(),
              prefix, revision);
          keys.clear();
          from = EtcdCalls.bytes(prefix);
          revision = 0;
          continue;
        }
        throw new CacheWriteException("cluster=" + writer.cluster() + ": cannot list " + prefix + ": "
            + e.getMessage(), e);
      }
      if (revision == 0) {
        revision = page.getHeader().getRevision();
      }
      for (KeyValue entry : page.getKvs()) {
        keys.add(EtcdCalls.text(entry.getKey()));
      }
      if (!page.isMore() || page.getKvs().isEmpty()) {
        return keys;
      }
      // the next page starts right after the last key: the key plus a zero byte
      from = EtcdCalls.bytes(keys.get(keys.size() - 1) + "\0");
    }
  }
}
