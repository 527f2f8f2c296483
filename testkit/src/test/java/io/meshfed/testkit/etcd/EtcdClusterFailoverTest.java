package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 3-member cluster keeps serving writes with one member down, and the member catches up when
 * it comes back. Every test leaves all three members running for the next one.
 */
class EtcdClusterFailoverTest {

    /** Re-election on loopback takes about a second with our 500 ms election timeout. */
    private static final Duration RECOVERY = Duration.ofSeconds(15);
    /**
     * A put proposed to a leader that then dies is dropped, and etcd answers it only after its
     * ~6 s request timeout; short attempts let Awaitility retry on the new leader sooner.
     */
    private static final Duration ATTEMPT = Duration.ofSeconds(1);

    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.cluster(3);

    @Test
    void startsThreeHealthyMembersWithOneLeader() {
        assertThat(ETCD.endpoints()).hasSize(3).doesNotHaveDuplicates();
        assertThat(ETCD.etcdCluster().members()).allMatch(EtcdServer::isRunning);
        await().atMost(RECOVERY).until(() -> ETCD.etcdCluster().leader().isPresent());
    }

    @Test
    void writesSucceedAfterTheLeaderIsKilledAndItCatchesUpAfterRestart() throws Exception {
        Client client = ETCD.jetcdClient();
        Kv.put(client, "meshfed/failover/before", "1");
        EtcdServer leader = await().atMost(RECOVERY)
                .until(() -> ETCD.etcdCluster().leader().orElse(null), member -> member != null);
        ProcessHandle leaderProcess = leader.process().orElseThrow();

        leader.kill();

        assertThat(leaderProcess.isAlive()).isFalse();
        assertThat(leader.isRunning()).isFalse();
        assertThat(leader.dataDir()).isDirectory();
        // The two survivors elect a new leader; a put through the shared client then succeeds.
        await().atMost(RECOVERY).ignoreExceptions()
                .untilAsserted(() -> Kv.put(client, "meshfed/failover/during", "2", ATTEMPT));
        assertThat(Kv.get(client, "meshfed/failover/during")).contains("2");

        leader.start();

        // A serializable read is answered from the restarted member's own store: it has rejoined
        // and replicated the write it missed while down.
        try (Client onlyRestarted = Kv.clientFor(leader.clientEndpoint())) {
            await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> {
                assertThat(Kv.getLocal(onlyRestarted, "meshfed/failover/before")).contains("1");
                assertThat(Kv.getLocal(onlyRestarted, "meshfed/failover/during")).contains("2");
            });
        }
    }

    @Test
    void gracefullyStoppedMemberKeepsItsDataAndRejoinsWhenStarted() throws Exception {
        Client client = ETCD.jetcdClient();
        EtcdServer follower = ETCD.etcdCluster().members().stream()
                .filter(member -> !member.isLeader()).findFirst().orElseThrow();
        int index = ETCD.etcdCluster().members().indexOf(follower);

        ETCD.etcdCluster().stopMember(index);

        assertThat(follower.isRunning()).isFalse();
        assertThat(follower.dataDir()).isDirectory();
        await().atMost(RECOVERY).ignoreExceptions()
                .untilAsserted(() -> Kv.put(client, "meshfed/stopped/during", "3", ATTEMPT));

        ETCD.etcdCluster().startMember(index);

        try (Client onlyRestarted = Kv.clientFor(follower.clientEndpoint())) {
            await().atMost(RECOVERY).ignoreExceptions()
                    .untilAsserted(() -> assertThat(Kv.getLocal(onlyRestarted, "meshfed/stopped/during"))
                            .contains("3"));
        }
        assertThat(ETCD.etcdCluster().members()).allMatch(EtcdServer::isRunning);
    }

    @Test
    void restartReplacesTheProcessButKeepsTheEndpoint() {
        EtcdServer member = ETCD.member(2);
        long pidBefore = member.process().orElseThrow().pid();
        String endpointBefore = member.clientEndpoint();

        ETCD.etcdCluster().restart(2);

        assertThat(member.process()).get().extracting(ProcessHandle::pid).isNotEqualTo(pidBefore);
        assertThat(member.clientEndpoint()).isEqualTo(endpointBefore);
        assertThat(ProcessHandle.of(pidBefore)).isEmpty();
    }
}
