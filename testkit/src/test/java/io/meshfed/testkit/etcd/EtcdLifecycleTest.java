package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link EtcdCluster} used directly, as the demo and benchmarks will, without the JUnit extension. */
class EtcdLifecycleTest {

    @Test
    void stopRemovesTheDataDirAndLeavesNoEtcdProcess() {
        EtcdCluster etcd = EtcdCluster.ofSize(3).start();
        Path baseDir = etcd.baseDir();
        List<ProcessHandle> processes = etcd.members().stream()
                .map(member -> member.process().orElseThrow()).toList();
        assertThat(processes).hasSize(3).allMatch(ProcessHandle::isAlive);

        etcd.stop();

        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(baseDir).doesNotExist();
        assertThat(etcd.members()).noneMatch(EtcdServer::isRunning);
        // Nothing on the machine still runs with a data dir of ours, child of this JVM or not.
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> String.join(" ", args)).orElse("")
                        .contains(baseDir.toString())))
                .isEmpty();
    }

    @Test
    void stopIsIdempotentAndMemberControlFailsAfterIt() {
        EtcdCluster etcd = EtcdCluster.singleNode().start();

        etcd.stop();
        etcd.stop();

        assertThat(etcd.isStopped()).isTrue();
        assertThatThrownBy(() -> etcd.startMember(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> etcd.member(0).start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped cluster");
    }

    @Test
    void killedSingleNodeRestartsWithItsData() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.singleNode().start()) {
            EtcdServer server = etcd.member(0);
            try (Client client = Kv.clientFor(server.clientEndpoint())) {
                Kv.put(client, "meshfed/durable", "kept");
            }
            ProcessHandle before = server.process().orElseThrow();

            server.kill();

            assertThat(before.isAlive()).isFalse();
            assertThat(server.dataDir()).isDirectory();

            server.start();

            try (Client client = Kv.clientFor(server.clientEndpoint())) {
                assertThat(Kv.get(client, "meshfed/durable")).contains("kept");
            }
        }
    }

    @Test
    void startRetriesOnFreshPortsWhenAPortIsTakenBeforeEtcdBindsIt() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int taken = squatter.getLocalPort();
            AtomicBoolean handedOutTakenPort = new AtomicBoolean();
            // The first port asked for (member-0's client port) is one another process holds.
            PortAllocator racingAllocator = () -> handedOutTakenPort.getAndSet(true)
                    ? LoopbackPorts.INSTANCE.nextFreePort()
                    : taken;

            try (EtcdCluster etcd = EtcdCluster.singleNode().withPortAllocator(racingAllocator).start()) {
                assertThat(handedOutTakenPort).isTrue();
                assertThat(etcd.clientEndpoints()).singleElement().asString().doesNotEndWith(":" + taken);
                try (Client client = Kv.clientFor(etcd.clientEndpoints().get(0))) {
                    Kv.put(client, "meshfed/after-retry", "ok");
                }
            }
        }
    }

    @Test
    void failedStartQuotesTheEtcdLogAndLeavesNothingBehind() {
        assertThatThrownBy(() -> EtcdCluster.singleNode().withExtraArgs("--no-such-flag").start())
                .isInstanceOf(EtcdStartupException.class)
                .isNotInstanceOf(PortClashException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no-such-flag");

        Optional<ProcessHandle> survivor = ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains("--no-such-flag"))
                .findAny();
        assertThat(survivor).isEmpty();
    }

    @Test
    void missingTlsFilesFailBeforeAnyProcessStarts() {
        EtcdTls absent = new EtcdTls(Path.of("/nonexistent/server.pem"), Path.of("/nonexistent/server-key.pem"),
                Path.of("/nonexistent/ca.pem"));

        assertThatThrownBy(() -> EtcdCluster.singleNode().withTls(absent).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/server.pem");
    }
}
