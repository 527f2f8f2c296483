package io.meshfed.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.controller.sync.convert.IpOwnership;
import io.meshfed.controller.sync.convert.MemberCluster;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sessions started together (one reconcile: controller start, a new leader) must not probe in the
 * same tick: members that return together would all be seen back at once, and with a cacheTTL all
 * relist every kind in that tick.
 */
class SyncProbePhaseTest {
  private static final int SESSIONS = 10;

  /** A supervisor that records the first delay of each probe schedule. */
  private static final class RecordingSupervisor extends ScheduledThreadPoolExecutor {
    final Queue<Long> firstProbeMillis = new ConcurrentLinkedQueue<>();

    RecordingSupervisor() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      firstProbeMillis.add(unit.toMillis(initialDelay));
      return super.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }
  }

  @Test
  @DisplayName("sessions started together get first probes spread over the probe interval, far apart from each other")
  void sessionsStartedTogetherProbeInDifferentTicks() {
    RecordingSupervisor supervisor = new RecordingSupervisor();
    List<SyncSession> sessions = new ArrayList<>();
    try {
      for (int i = 1; i <= SESSIONS; i++) {
        MemberCluster member = MemberCluster.of("c" + i, i, MaxConnectedClusters.of(255));
        // Nothing listens on port 1: the informers retry in the background, which is not the subject.
        Config down = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:1").build();
        SyncSession s = new SyncSession(member, () -> new KubernetesClientBuilder().withConfig(down).build(),
            new SyncAuditTest.MemorySink(), new IpOwnership(), new SyncStatus("c" + i, Clock.systemUTC()), supervisor, h -> {});
        sessions.add(s);
        s.start();
      }
    } finally {
      sessions.forEach(SyncSession::close);
      supervisor.shutdownNow();
    }
    List<Long> phases = new ArrayList<>(supervisor.firstProbeMillis);
    assertThat(phases).hasSize(SESSIONS).allSatisfy(p -> assertThat(p).isBetween(0L, SyncSession.PROBE_INTERVAL.toMillis() - 1));
    phases.sort(null);
    // Evenly spread draws keep any 10 at least 0.4 / 10 of the interval apart (200 ms); half that
    // leaves room for a draw another test's session might take meanwhile.
    for (int i = 1; i < phases.size(); i++) {
      assertThat(phases.get(i) - phases.get(i - 1)).as("first probes " + phases).isGreaterThanOrEqualTo(100);
    }
  }
}
