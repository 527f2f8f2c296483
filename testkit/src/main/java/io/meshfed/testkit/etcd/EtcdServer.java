package io.meshfed.testkit.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member: a child process of this JVM with its own loopback ports, data directory and
 * log file. Obtained from {@link EtcdCluster#member(int)}; a single-node cluster has exactly one.
 *
 * <p>Stopping or killing a member keeps its data directory, so {@link #start()} brings the same
 * member back with its data and it rejoins its cluster. Only {@link EtcdCluster#stop()} deletes
 * data. Every method waits for its effect: {@code start()} returns once the member is ready
 * ({@code /health} true, so it sees a leader, and its client port serving), {@code stop()} and
 * {@code kill()} once the process has exited.
 */
public final class EtcdServer {

    /** How long a member gets to shut down cleanly on SIGTERM before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int LOG_LINES_IN_ERRORS = 40;
    /**
     * The start of what etcd's zap logger writes (3.4 and 3.5, embed/serve.go) once the client
     * port serves: "serving client traffic insecurely; ..." or "serving client traffic securely".
     */
    private static final String CLIENTS_SERVED_LOG_LINE = "serving client traffic";

    private final MemberConfig config;
    private final MemberProbe probe;
    private final Duration startupTimeout;

    private volatile Process process;
    /** Set when the cluster stopped and deleted this member's data: it must never start again. */
    private volatile boolean retired;
    /** Where the log stood when the current process was launched: errors quote only this run. */
    private volatile long logOffsetAtLaunch;

    EtcdServer(MemberConfig config, Duration startupTimeout) {
        this.config = config;
        this.probe = new MemberProbe(config.ports().metrics());
        this.startupTimeout = startupTimeout;
    }

    /** The member name, e.g. {@code member-0}. */
    public String name() {
        return config.name();
    }

    /** The URL clients use, {@code http://127.0.0.1:PORT} or {@code https://...} with TLS. */
    public String clientEndpoint() {
        return config.clientEndpoint();
    }

    /** etcd's Prometheus metrics on the plain listener, e.g. to read its disk latencies in a benchmark. */
    public String metricsUrl() {
        return "http://127.0.0.1:" + config.ports().metrics() + "/metrics";
    }

    /** The raft URL other members use (always plain HTTP on loopback, see {@link EtcdTls}). */
    public String peerUrl() {
        return config.peerUrl();
    }

    /** The member's data directory; kept across {@link #stop()}, {@link #kill()} and restarts. */
    public Path dataDir() {
        return config.dataDir();
    }

    /** The file that receives etcd's stdout and stderr; each start appends to it. */
    public Path logFile() {
        return config.logFile();
    }

    /** Whether the member's process is alive (not necessarily ready). */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** The running process, for checks such as "is this pid gone"; empty when not running. */
    public Optional<ProcessHandle> process() {
        Process current = process;
        return current == null || !current.isAlive() ? Optional.empty() : Optional.of(current.toHandle());
    }

    /**
     * Whether this member currently leads its cluster, as its own metrics say; false when it is
     * not running. Leadership can move at any moment, so treat the answer as a snapshot.
     */
    public boolean isLeader() {
        if (!isRunning()) {
            return false;
        }
        try {
            return probe.isLeader();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code lines} lines of the member's log, across all of its runs. */
    public String logTail(int lines) {
        return LogTail.lastLines(logFile(), 0, lines);
    }

    /**
     * Starts the member and waits until it is ready: healthy (it sees a leader, which in a
     * cluster needs a quorum of members running) and serving its client port.
     *
     * @throws IllegalStateException if the member is already running
     * @throws EtcdStartupException if etcd exits or is not ready within the startup timeout; the
     *     process is killed and the message quotes its log
     */
    public void start() {
        launch();
        try {
            ReadinessWaiter.awaitReady(List.of(this), startupTimeout);
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    /** Stops the member with SIGTERM (SIGKILL after 10 s) and waits for it to exit; no-op if not running. */
    public synchronized void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                current.destroyForcibly();
                current.waitFor();
            }
        } catch (InterruptedException e) {
            current.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            released(current);
        }
    }

    /** Kills the member with SIGKILL, as a crash would, and waits for it to exit; no-op if not running. */
    public synchronized void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        try {
            current.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            released(current);
        }
    }

    /** Stops the member if it runs, then {@linkplain #start() starts} it again with the same data. */
    public void restart() {
        stop();
        start();
    }

    /** Spawns the process without waiting; {@link EtcdCluster} launches all members before waiting. */
    synchronized void launch() {
        if (retired) {
            throw new IllegalStateException(
                    name() + " belongs to a stopped cluster whose data is deleted; start a new cluster");
        }
        if (isRunning()) {
            throw new IllegalStateException(name() + " is already running as pid " + process.pid());
        }
        if (process != null) {
            released(process); // it crashed or was killed from outside; forget the corpse
        }
        try {
            Files.createDirectories(config.memberDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + config.memberDir(), e);
        }
        logOffsetAtLaunch = LogTail.sizeOf(logFile());
        ProcessBuilder builder = new ProcessBuilder(config.command())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile().toFile()));
        // etcd reads ETCD_* variables as flags and refuses some that clash with ours (ETCD_BIN
        // itself would be reported as unknown), so the child sees none of them.
        builder.environment().keySet().removeIf(key -> key.startsWith("ETCD"));
        try {
            Process started = builder.start();
            ProcessReaper.track(started);
            started.getOutputStream().close();
            process = started;
        } catch (IOException e) {
            throw new EtcdStartupException(
                    "Cannot run " + config.binary() + " for " + name() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the member for good; called by {@link EtcdCluster#stop()} before it deletes the data. */
    synchronized void retire() {
        retired = true;
        stop();
    }

    /** The process from the latest launch, alive or not. */
    Process launchedProcess() {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException(name() + " was never launched");
        }
        return current;
    }

    Duration startupTimeout() {
        return startupTimeout;
    }

    /**
     * Ready means both: {@code /health} is true (a leader exists and a linearizable read works)
     * and this run's log says the client listener serves. The first alone is not enough: the
     * metrics listener answers {@code /health} a few milliseconds before etcd starts serving its
     * client port (seen with 3.4.23), and a caller may act on the client port at once.
     */
    boolean isReady() throws InterruptedException {
        return LogTail.since(logFile(), logOffsetAtLaunch).contains(CLIENTS_SERVED_LOG_LINE)
                && probe.isHealthy();
    }

    EtcdStartupException exitedBeforeReady(int exitCode) {
        String log = LogTail.since(logFile(), logOffsetAtLaunch);
        String message = "etcd " + name() + " exited with code " + exitCode + " before becoming ready. "
                + logQuote();
        // Go reports a taken port as "bind: address already in use"; fresh ports will fix that.
        return log.contains("address already in use")
                ? new PortClashException(message)
                : new EtcdStartupException(message);
    }

    EtcdStartupException notReadyInTime(Duration timeout) {
        return new EtcdStartupException("etcd " + name() + " was not ready after " + timeout.toSeconds()
                + " s (waited for " + probe.healthUri() + " to say true and for \"" + CLIENTS_SERVED_LOG_LINE
                + "\" in its log). " + logQuote());
    }

    private String logQuote() {
        return "Last lines of " + logFile() + ":" + System.lineSeparator()
                + LogTail.lastLines(logFile(), logOffsetAtLaunch, LOG_LINES_IN_ERRORS);
    }

    private void released(Process exited) {
        ProcessReaper.forget(exited);
        if (process == exited) {
            process = null;
        }
    }

    @Override
    public String toString() {
        return name() + "(" + clientEndpoint() + (isRunning() ? ", running" : ", stopped") + ")";
    }
}
