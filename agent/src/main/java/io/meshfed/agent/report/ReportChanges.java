package io.meshfed.agent.report;

import com.google.protobuf.Descriptors;
import io.meshfed.agent.collect.EtcdProbe;
import io.meshfed.api.health.v1.HealthReport;
import java.util.ArrayList;
import java.util.List;

/**
 * Which differences between two snapshots are worth a report at once. Everything counts except
 * what moves on every tick: the API server's latency, the etcd handshake time and the heartbeat's
 * age (only crossing into staleness counts). Those go out with the next interval report.
 */
public final class ReportChanges {
  private ReportChanges() {}

  /** True when {@code after} differs from {@code before} in anything but the jittery numbers. */
  public static boolean meaningful(HealthReport before, HealthReport after) {
    return !normalized(before).equals(normalized(after));
  }

  /** The sections that differ meaningfully, for the log line of an immediate report. */
  public static List<String> changedSections(HealthReport before, HealthReport after) {
    HealthReport a = normalized(before);
    HealthReport b = normalized(after);
    List<String> changed = new ArrayList<>();
    for (Descriptors.FieldDescriptor f : HealthReport.getDescriptor().getFields()) {
      boolean presenceDiffers = !f.isRepeated() && a.hasField(f) != b.hasField(f);
      if (presenceDiffers || !a.getField(f).equals(b.getField(f))) {
        changed.add(f.getName());
      }
    }
    return changed;
  }

  static HealthReport normalized(HealthReport report) {
    HealthReport.Builder b = report.toBuilder().clearSequence().clearSentAt();
    if (b.hasKubernetes()) {
      b.getKubernetesBuilder().clearLatencyMs();
    }
    if (b.hasEtcd()) {
      long age = b.getEtcd().getHeartbeatAgeSeconds();
      b.getEtcdBuilder().clearHandshakeMs().setHeartbeatAgeSeconds(age < 0 ? -1 : age > EtcdProbe.STALE_HEARTBEAT.getSeconds() ? 1 : 0);
    }
    return b.build();
  }
}
