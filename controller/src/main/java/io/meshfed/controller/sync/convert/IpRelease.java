package io.meshfed.controller.sync.convert;

import io.meshfed.api.kvstore.IpAddress;

/**
 * The answer of {@link IpOwnership#release}: what changes in etcd for the released IP.
 */
public sealed interface IpRelease permits IpRelease.Freed, IpRelease.HandedOver, IpRelease.Unchanged {

  /** The IP released. */
  IpAddress ip();

  /**
   * The releasing endpoint was the primary and nobody else claims the IP: delete its key.
   *
   * @param ip the IP
   */
  record Freed(IpAddress ip) implements IpRelease {
  }

  /**
   * The releasing endpoint was the primary and the oldest waiting claim is now primary. If the
   * new primary is in the same cluster, overwrite the key with its entry (Cilium re-upserts the
   * pending entry); if it is in another cluster, delete this cluster's key and let the new
   * primary's sync session write its own.
   *
   * @param ip         the IP
   * @param newPrimary the endpoint that owns the IP from now on
   */
  record HandedOver(IpAddress ip, IpHolder newPrimary) implements IpRelease {
  }

  /**
   * The releasing endpoint was not the primary (or held no claim): the key stays as it is.
   *
   * @param ip the IP
   */
  record Unchanged(IpAddress ip) implements IpRelease {
  }
}
