package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.Finding;
import io.meshfed.api.kvstore.IpAddress;
import java.util.Optional;

/**
 * The answer of {@link IpOwnership#claim}: may the claimant's ipcache entry be written now?
 */
public sealed interface IpClaim permits IpClaim.Accepted, IpClaim.Waiting, IpClaim.Refused {

  /** The IP claimed. */
  IpAddress ip();

  /** Who claimed it. */
  IpHolder claimant();

  /** True when the claimant is the primary owner: write its entry. */
  default boolean accepted() {
    return this instanceof Accepted;
  }

  /** Why the entry is not written, for logs and the member's sync status; empty when accepted. */
  Optional<Finding> finding();

  /**
   * The IP was free or already the claimant's: write the entry.
   *
   * @param ip       the IP
   * @param claimant its primary owner
   */
  record Accepted(IpAddress ip, IpHolder claimant) implements IpClaim {
    @Override
    public Optional<Finding> finding() {
      return Optional.empty();
    }
  }

  /**
   * Another endpoint of the <em>same</em> cluster holds the IP and stays primary until it is
   * deleted (spec 2.3, Cilium's {@code entryGroup}): do not write, report; the claim is queued
   * and handed over when the primary releases the IP.
   *
   * @param ip       the IP
   * @param claimant the waiting endpoint
   * @param primary  the endpoint that holds the IP
   */
  record Waiting(IpAddress ip, IpHolder claimant, IpHolder primary) implements IpClaim {
    @Override
    public Optional<Finding> finding() {
      return Optional.of(new Finding("ip", ip.toString(), "is already used by " + primary + "; "
          + claimant.endpoint() + " waits until that endpoint is deleted (spec 2.3: the first owner stays primary)"));
    }
  }

  /**
   * An endpoint of <em>another</em> cluster holds the IP: refused, never written while that
   * holds (spec 1.5 item 8; issue 4: an IP claimed by two clusters is refused). The claim is
   * still queued, so the IP is handed over if the holder releases it.
   *
   * @param ip       the IP
   * @param claimant the refused endpoint
   * @param holder   the endpoint of the other cluster that holds the IP
   */
  record Refused(IpAddress ip, IpHolder claimant, IpHolder holder) implements IpClaim {
    @Override
    public Optional<Finding> finding() {
      return Optional.of(new Finding("ip", ip.toString(), "is already used by " + holder
          + "; an IP can belong to one cluster only, so " + claimant + " is not published (pod CIDRs overlap?)"));
    }
  }
}
