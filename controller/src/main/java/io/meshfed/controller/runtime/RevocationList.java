package io.meshfed.controller.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked certificate serials, shared by every listener of this replica. Filled from
 * {@code meshfed/revoked/} at start and refreshed periodically (other replicas' leaves), and
 * updated at once by this replica's own leaves.
 */
public final class RevocationList {
  private final Set<String> serials = ConcurrentHashMap.newKeySet();

  public boolean isRevoked(String serialHex) {
    return serials.contains(serialHex);
  }

  public void addAll(Set<String> more) {
    serials.addAll(more);
  }

  public int size() {
    return serials.size();
  }
}
