package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which endpoint owns each IP across all member clusters. One instance is shared by the sync
 * sessions of every member; all methods are thread-safe and atomic per IP.
 *
 * <p>Rules (spec 2.3 note; Cilium {@code clustermesh-apiserver/clustermesh/converters.go
 * entryGroup}):
 * <ul>
 *   <li>the first claim of an IP makes its endpoint the primary owner, and it stays primary
 *       until it releases the IP, however many others claim it meanwhile;</li>
 *   <li>a second endpoint of the same cluster is {@link IpClaim.Waiting}: Cilium keeps it as a
 *       pending owner and re-upserts its entry once the primary is deleted;</li>
 *   <li>an endpoint of another cluster is {@link IpClaim.Refused}: the same IP in two clusters
 *       means overlapping pod CIDRs, and a remote agent's ipcache could not tell them apart;</li>
 *   <li>waiting and refused claims are queued in arrival order; when the primary releases the
 *       IP, the oldest queued claim takes over ({@link IpRelease.HandedOver}).</li>
 * </ul>
 * "First" is arrival order in this process. After a controller restart, the order in which the
 * members' initial lists arrive decides, as it does for Cilium's own apiserver restarts.
 *
 * <p>The sync session calls {@link #claim} for every address of a converted endpoint before it
 * writes the entry, and {@link #release} for addresses the endpoint no longer has (update or
 * delete). It must remember which IPs each endpoint claimed; this class knows owners per IP only.
 */
public final class IpOwnership {

  private final ConcurrentHashMap<IpAddress, Claims> byIp = new ConcurrentHashMap<>();

  /**
   * Claims {@code ip} for {@code endpoint} of {@code cluster}. Claiming again is harmless: the
   * answer is the same and the queue position is kept.
   */
  public IpClaim claim(ClusterName cluster, IpAddress ip, EndpointRef endpoint) {
    IpHolder claimant = new IpHolder(cluster, endpoint);
    Claims after = byIp.compute(Objects.requireNonNull(ip, "ip"),
        (key, current) -> current == null ? Claims.of(claimant) : current.with(claimant));
    IpHolder primary = after.primary();
    if (primary.equals(claimant)) {
      return new IpClaim.Accepted(ip, claimant);
    }
    if (primary.cluster().equals(cluster)) {
      return new IpClaim.Waiting(ip, claimant, primary);
    }
    return new IpClaim.Refused(ip, claimant, primary);
  }

  /** Withdraws the claim of {@code endpoint} of {@code cluster} on {@code ip}. */
  public IpRelease release(ClusterName cluster, IpAddress ip, EndpointRef endpoint) {
    IpHolder leaving = new IpHolder(cluster, endpoint);
    IpRelease[] outcome = {new IpRelease.Unchanged(ip)};
    byIp.computeIfPresent(Objects.requireNonNull(ip, "ip"), (key, current) -> {
      Claims after = current.without(leaving);
      if (current.primary().equals(leaving)) {
        outcome[0] = after == null ? new IpRelease.Freed(ip) : new IpRelease.HandedOver(ip, after.primary());
      }
      return after;
    });
    return outcome[0];
  }

  /**
   * Withdraws every claim of {@code cluster}, for a member that leaves the mesh (its keys are
   * deleted by prefix).
   *
   * @return the IPs another cluster now owns; their sessions must write their entries
   */
  public List<IpRelease.HandedOver> releaseCluster(ClusterName cluster) {
    List<IpRelease.HandedOver> handovers = new ArrayList<>();
    for (IpAddress ip : byIp.keySet()) {
      byIp.computeIfPresent(ip, (key, current) -> {
        Claims after = current.withoutCluster(cluster);
        if (after != null && current.primary().cluster().equals(cluster)) {
          handovers.add(new IpRelease.HandedOver(ip, after.primary()));
        }
        return after;
      });
    }
    return List.copyOf(handovers);
  }

  /** The primary owner of {@code ip}, if any. */
  public Optional<IpHolder> primary(IpAddress ip) {
    return Optional.ofNullable(byIp.get(ip)).map(Claims::primary);
  }

  /** How many IPs have an owner. */
  public int size() {
    return byIp.size();
  }

  /** The claims on one IP: the primary first, then the queue in arrival order. Immutable. */
  private record Claims(List<IpHolder> holders) {

    static Claims of(IpHolder first) {
      return new Claims(List.of(first));
    }

    IpHolder primary() {
      return holders.get(0);
    }

    Claims with(IpHolder claimant) {
      if (holders.contains(claimant)) {
        return this;
      }
      List<IpHolder> more = new ArrayList<>(holders);
      more.add(claimant);
      return new Claims(List.copyOf(more));
    }

    /** Without {@code leaving}; {@code null} (remove the IP) when nobody is left. */
    Claims without(IpHolder leaving) {
      return keep(holders.stream().filter(holder -> !holder.equals(leaving)).toList());
    }

    Claims withoutCluster(ClusterName cluster) {
      return keep(holders.stream().filter(holder -> !holder.cluster().equals(cluster)).toList());
    }

    private Claims keep(List<IpHolder> remaining) {
      if (remaining.size() == holders.size()) {
        return this;
      }
      return remaining.isEmpty() ? null : new Claims(remaining);
    }
  }
}
