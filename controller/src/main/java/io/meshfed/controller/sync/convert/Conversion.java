package io.meshfed.controller.sync.convert;

import io.meshfed.api.cluster.Finding;
import java.util.List;
import java.util.Objects;

/**
 * What converting one member object yields for etcd. Four outcomes, because a sync session must
 * treat each differently:
 * <ul>
 *   <li>{@link Entries}: write these keys (for an endpoint, possibly none: it has no address yet);</li>
 *   <li>{@link NotExported}: the object exists but must not be in the mesh; delete its key
 *       (a Service that is not global or not shared, spec 2.1 writer rules);</li>
 *   <li>{@link Skipped}: Cilium ignores such objects without complaint (a CiliumIdentity without
 *       security labels); write nothing, count it apart from refusals;</li>
 *   <li>{@link Refused}: the object breaks a rule a remote agent enforces (spec 1.5 item 8) or its
 *       data cannot be parsed; write nothing, count it and show the findings in the member's
 *       sync status. The converter cannot know what was written before; a session that wrote an
 *       earlier version of the object should delete those keys, since the object no longer
 *       supports them.</li>
 * </ul>
 */
public sealed interface Conversion
    permits Conversion.Entries, Conversion.NotExported, Conversion.Skipped, Conversion.Refused {

  /** Entries to write, in a deterministic order. */
  record Entries(List<KeyValue> entries) implements Conversion {
    /** Copies the list. */
    public Entries {
      entries = List.copyOf(entries);
    }
  }

  /**
   * The object is not part of the mesh: delete {@code key} if it exists.
   *
   * @param key    the key the object would have, e.g. {@code cilium/cache/services/v1/c1/ns/svc}
   * @param reason why, for logs
   */
  record NotExported(String key, String reason) implements Conversion {
    /** Requires both. */
    public NotExported {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Cilium ignores such an object; nothing is written and nothing is deleted.
   *
   * @param reason why, for logs
   */
  record Skipped(String reason) implements Conversion {
    /** Requires the reason. */
    public Skipped {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The object breaks at least one rule; nothing is written.
   *
   * @param findings every broken rule found, each naming the source object's field
   */
  record Refused(List<Finding> findings) implements Conversion {
    /** Requires at least one finding. */
    public Refused {
      findings = List.copyOf(findings);
      if (findings.isEmpty()) {
        throw new IllegalArgumentException("a refusal needs at least one finding");
      }
    }

    /** A refusal for one broken rule. */
    public static Refused of(Finding finding) {
      return new Refused(List.of(finding));
    }

    /** All findings, one message per line. */
    public String summary() {
      return String.join("\n", findings.stream().map(Finding::message).toList());
    }
  }
}
