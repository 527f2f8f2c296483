package io.meshfed.controller.policy.rollout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshfed.controller.policy.Canonical;
import io.meshfed.controller.policy.MeshPolicy;
import io.meshfed.controller.policy.PolicyKey;
import io.meshfed.controller.policy.ValidationGate;
import io.meshfed.controller.policy.store.PolicyStore;
import io.meshfed.controller.store.Versioned;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The desired state every member pass reads: the mesh policies as last read from etcd, each with
 * the object to push and its placement. Replaced as a whole (an immutable snapshot), so a pass
 * sees one consistent version. Until the first successful read nothing is pushed or pruned.
 */
public final class PolicyCatalog {

  /**
   * One policy.
   *
   * @param placementError why its placement annotations cannot be read: then it is neither pushed
   *                       nor pruned anywhere (never prune on a misunderstanding)
   */
  public record Entry(MeshPolicy policy, ObjectNode memberObject, ValidationGate.Placer placer, String placementError) {
    /** Placed in this member (false when the placement is unreadable). */
    public boolean placedIn(String cluster, Map<String, String> labels) {
      return placementError == null && placer.selects(cluster, labels);
    }
  }

  /** All policies at one moment. */
  public record Snapshot(boolean loaded, Map<PolicyKey, Entry> entries) {
    public Entry get(PolicyKey k) {
      return entries.get(k);
    }
  }

  private volatile Snapshot snapshot = new Snapshot(false, Map.of());

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Reads every policy; keeps the previous snapshot when etcd cannot be read. */
  public synchronized Snapshot reload(PolicyStore store) {
    Map<PolicyKey, Entry> previous = snapshot.entries();
    Map<PolicyKey, Entry> next = new HashMap<>();
    for (Versioned<MeshPolicy> v : store.list()) {
      MeshPolicy p = v.value();
      PolicyKey k = p.policyKey();
      Entry old = previous.get(k);
      if (old != null && old.policy().generation() == p.generation() && old.policy().contentHash().equals(p.contentHash())) {
        next.put(k, old);
      } else {
        next.put(k, entry(p));
      }
    }
    snapshot = new Snapshot(true, Collections.unmodifiableMap(next));
    return snapshot;
  }

  static Entry entry(MeshPolicy p) {
    ValidationGate.Placer placer = null;
    String error = null;
    try {
      placer = ValidationGate.placement(p.annotations());
    } catch (RuntimeException e) {
      error = String.valueOf(e.getMessage());
    }
    return new Entry(p, Canonical.memberObject(p), placer, error);
  }
}
