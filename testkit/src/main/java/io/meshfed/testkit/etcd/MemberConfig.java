package io.meshfed.testkit.etcd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to (re)start one member: its identity, ports, directory and the cluster it
 * belongs to. Turns into the etcd command line.
 *
 * @param binary the etcd executable
 * @param name the member name, unique in its cluster
 * @param ports the member's loopback ports
 * @param memberDir the member's own temporary directory (data dir and log live below it)
 * @param tls client-port TLS, or {@code null} for plain HTTP
 * @param initialCluster the {@code name=peerUrl,...} list of every member at bootstrap
 * @param clusterToken a token unique to this cluster, so members of two test clusters never merge
 * @param extraArgs caller-supplied etcd flags, appended last
 */
record MemberConfig(
        EtcdBinary binary,
        String name,
        MemberPorts ports,
        Path memberDir,
        EtcdTls tls,
        String initialCluster,
        String clusterToken,
        List<String> extraArgs) {

    /** Raft timings tuned for loopback: elections settle in well under a second. */
    private static final String HEARTBEAT_MS = "50";
    private static final String ELECTION_TIMEOUT_MS = "500";

    String clientEndpoint() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + ports.client();
    }

    String peerUrl() {
        return peerUrl(ports);
    }

    static String peerUrl(MemberPorts ports) {
        return "http://127.0.0.1:" + ports.peer();
    }

    Path dataDir() {
        return memberDir.resolve("data");
    }

    Path logFile() {
        return memberDir.resolve("etcd.log");
    }

    List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                binary.path().toString(),
                "--name=" + name,
                "--data-dir=" + dataDir(),
                "--listen-client-urls=" + clientEndpoint(),
                "--advertise-client-urls=" + clientEndpoint(),
                "--listen-peer-urls=" + peerUrl(),
                "--initial-advertise-peer-urls=" + peerUrl(),
                "--listen-metrics-urls=http://127.0.0.1:" + ports.metrics(),
                // Only read when the data dir is empty; a restarted member rejoins from its WAL.
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-state=new",
                "--initial-cluster-token=" + clusterToken,
                "--heartbeat-interval=" + HEARTBEAT_MS,
                "--election-timeout=" + ELECTION_TIMEOUT_MS,
                // etcd 3.4's default logger (capnslog) is deprecated and warns on every start.
                "--logger=zap",
                "--log-outputs=stderr"));
        if (tls != null) {
            command.addAll(tls.clientFlags());
        }
        command.addAll(extraArgs);
        return command;
    }
}
