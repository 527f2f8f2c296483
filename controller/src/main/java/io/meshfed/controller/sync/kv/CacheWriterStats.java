package io.meshfed.controller.sync.kv;

/**
 * Counters of one {@link CacheWriter} since it started (a snapshot; each value is read
 * separately, so they may be a few operations apart).
 *
 * @param putsSubmitted    {@code put} calls accepted
 * @param deletesSubmitted {@code delete} calls accepted (and stale-key deletes)
 * @param puts             put operations sent to etcd in committed transactions
 * @param deletes          delete operations sent to etcd in committed transactions
 * @param batches          committed transactions (each is one etcd revision when it changed anything)
 * @param retries          failed transaction attempts that were retried
 * @param coalesced        submissions that replaced a pending write of the same key
 * @param skipped          puts not sent because etcd already holds the same bytes from this writer
 * @param leasesGranted    leases granted
 * @param leasesLost       leases reported lost (expired, revoked, or keep-alive deadline passed)
 * @param keysRewritten    keys queued again because their lease was lost
 * @param pending          keys waiting now
 * @param submitToCommitP50Ms median time from a write's submission to its committed transaction (recent writes)
 * @param submitToCommitP99Ms 99th percentile of the same
 * @param peakInFlight     the most transactions this writer has had on the wire at once
 */
public record CacheWriterStats(
    long putsSubmitted,
    long deletesSubmitted,
    long puts,
    long deletes,
    long batches,
    long retries,
    long coalesced,
    long skipped,
    long leasesGranted,
    long leasesLost,
    long keysRewritten,
    int pending,
    double submitToCommitP50Ms,
    double submitToCommitP99Ms,
    int peakInFlight) {
}
