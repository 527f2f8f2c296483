package io.meshfed.testkit.etcd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A running etcd: one member or several, all on 127.0.0.1 with free ports and a temporary
 * directory, for tests, the demo and benchmarks.
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.ofSize(3).start()) {
 *     Client client = Client.builder().endpoints(etcd.clientEndpoints().toArray(String[]::new)).build();
 *     etcd.kill(0);      // SIGKILL one member; the other two keep a quorum
 *     etcd.restart(0);   // same data dir: it rejoins and catches up
 * }                      // stop(): every process gone, temporary directory deleted
 * }</pre>
 *
 * <p>Members are started together and {@link Builder#start()} returns once every member is ready
 * (healthy and serving its client port). If a port turns out to be taken between probing and
 * binding, all members are started again on fresh ports. A JVM shutdown hook kills members that
 * were never stopped.
 */
public final class EtcdCluster implements AutoCloseable {

    private final Path baseDir;
    private final List<EtcdServer> members;
    private final EtcdTls tls;
    private volatile boolean stopped;

    private EtcdCluster(Path baseDir, List<EtcdServer> members, EtcdTls tls) {
        this.baseDir = baseDir;
        this.members = List.copyOf(members);
        this.tls = tls;
    }

    /** Configures a one-member etcd. */
    public static Builder singleNode() {
        return new Builder(1);
    }

    /** Configures an etcd cluster of {@code members} members (use an odd number: 3 tolerates one failure). */
    public static Builder ofSize(int members) {
        return new Builder(members);
    }

    /** The client URLs of all members, in member order, whether or not each is running right now. */
    public List<String> clientEndpoints() {
        return members.stream().map(EtcdServer::clientEndpoint).toList();
    }

    /** All members, in order. */
    public List<EtcdServer> members() {
        return members;
    }

    /** The member at {@code index} (0-based). */
    public EtcdServer member(int index) {
        Objects.checkIndex(index, members.size());
        return members.get(index);
    }

    /**
     * The member that leads right now, if any member says so; empty during an election or when
     * quorum is lost. A snapshot: leadership can move at any moment.
     */
    public Optional<EtcdServer> leader() {
        return members.stream().filter(EtcdServer::isLeader).findFirst();
    }

    /** The number of members. */
    public int size() {
        return members.size();
    }

    /** The client TLS material, if the cluster serves https. */
    public Optional<EtcdTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** The temporary directory holding every member's data directory and log; deleted by {@link #stop()}. */
    public Path baseDir() {
        return baseDir;
    }

    /** SIGKILLs one member and waits for it to exit; its data directory stays. */
    public void kill(int member) {
        live().member(member).kill();
    }

    /** Stops one member cleanly (SIGTERM); its data directory stays. */
    public void stopMember(int member) {
        live().member(member).stop();
    }

    /** Starts one stopped member and waits until it is ready (which needs a quorum running). */
    public void startMember(int member) {
        live().member(member).start();
    }

    /**
     * Starts several stopped members together and waits until all are ready; needed when
     * quorum was lost, since no single member can become ready on its own then.
     */
    public void startMembers(int... indexes) {
        List<EtcdServer> chosen = Arrays.stream(indexes).mapToObj(live()::member).toList();
        chosen.forEach(EtcdServer::launch);
        try {
            ReadinessWaiter.awaitReady(chosen, chosen.get(0).startupTimeout());
        } catch (RuntimeException e) {
            chosen.forEach(EtcdServer::kill);
            throw e;
        }
    }

    /** Stops one member if it runs and starts it again with the same data; waits until ready. */
    public void restart(int member) {
        live().member(member).restart();
    }

    /** Whether {@link #stop()} has been called. */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * Stops every member and deletes the temporary directory, data and logs included. Safe to
     * call more than once.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            members.forEach(EtcdServer::retire);
        } finally {
            TempDirs.deleteRecursively(baseDir);
            ProcessReaper.forgetDirectory(baseDir);
        }
    }

    /** Same as {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    private EtcdCluster live() {
        if (stopped) {
            throw new IllegalStateException("This etcd cluster was stopped; start a new one");
        }
        return this;
    }

    @Override
    public String toString() {
        return "EtcdCluster" + members;
    }

    /** Settings for a cluster about to be started; {@link #start()} does the work. */
    public static final class Builder {

        private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
        /** A port clash is rare and instant to detect, so a handful of attempts is plenty. */
        private static final int MAX_PORT_ATTEMPTS = 5;

        private final int size;
        private EtcdTls tls;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private List<String> extraArgs = List.of();
        private PortAllocator ports = LoopbackPorts.INSTANCE;

        private Builder(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("An etcd cluster needs at least one member, got " + size);
            }
            this.size = size;
        }

        /** Serves clients over https with mandatory client certificates; {@code null} means plain http. */
        public Builder withTls(EtcdTls tls) {
            this.tls = tls;
            return this;
        }

        /** How long each start may take before it fails with the etcd log (default 30 s). */
        public Builder withStartupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Startup timeout must be positive, got " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /** Extra etcd flags for every member, e.g. {@code --max-txn-ops=1024}; appended after ours. */
        public Builder withExtraArgs(String... args) {
            this.extraArgs = List.of(args);
            return this;
        }

        /* test */ Builder withPortAllocator(PortAllocator allocator) {
            this.ports = Objects.requireNonNull(allocator);
            return this;
        }

        /**
         * Starts every member and waits until all are ready.
         *
         * @throws IllegalStateException if no etcd binary is found (the message says how to install it)
         *     or a TLS file is missing
         * @throws EtcdStartupException if etcd does not become ready; no process is left behind
         */
        public EtcdCluster start() {
            EtcdBinary binary = EtcdBinary.locate();
            if (tls != null && !tls.missingFiles().isEmpty()) {
                throw new IllegalStateException("TLS files for etcd are not readable: " + tls.missingFiles());
            }
            Path baseDir = TempDirs.create("meshfed-etcd-");
            ProcessReaper.trackDirectory(baseDir);
            try {
                return new EtcdCluster(baseDir, startOnFreshPorts(binary, baseDir), tls);
            } catch (RuntimeException e) {
                TempDirs.deleteRecursively(baseDir);
                ProcessReaper.forgetDirectory(baseDir);
                throw e;
            }
        }

        private List<EtcdServer> startOnFreshPorts(EtcdBinary binary, Path baseDir) {
            // One token per cluster: members of two clusters that somehow reach each other refuse to merge.
            String token = "meshfed-test-" + UUID.randomUUID();
            PortClashException lastClash = null;
            for (int attempt = 1; attempt <= MAX_PORT_ATTEMPTS; attempt++) {
                List<EtcdServer> members = plan(binary, baseDir, token);
                try {
                    members.forEach(EtcdServer::launch);
                    ReadinessWaiter.awaitReady(members, startupTimeout);
                    return members;
                } catch (PortClashException clash) {
                    lastClash = clash;
                    discard(members);
                } catch (RuntimeException e) {
                    members.forEach(EtcdServer::kill);
                    throw e;
                }
            }
            throw new EtcdStartupException("etcd ports were taken by other processes in "
                    + MAX_PORT_ATTEMPTS + " attempts; last failure follows", lastClash);
        }

        private List<EtcdServer> plan(EtcdBinary binary, Path baseDir, String token) {
            List<String> names = new ArrayList<>();
            List<MemberPorts> memberPorts = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                names.add("member-" + i);
                memberPorts.add(MemberPorts.allocate(ports));
            }
            String initialCluster = IntStream.range(0, size)
                    .mapToObj(i -> names.get(i) + "=" + MemberConfig.peerUrl(memberPorts.get(i)))
                    .collect(Collectors.joining(","));
            List<EtcdServer> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                MemberConfig config = new MemberConfig(binary, names.get(i), memberPorts.get(i),
                        baseDir.resolve(names.get(i)), tls, initialCluster, token, extraArgs);
                members.add(new EtcdServer(config, startupTimeout));
            }
            return members;
        }

        /** Kills a failed attempt's members and wipes their directories so the next attempt starts clean. */
        private static void discard(List<EtcdServer> members) {
            for (EtcdServer member : members) {
                member.kill();
                TempDirs.deleteRecursively(member.dataDir().getParent());
            }
        }
    }
}
