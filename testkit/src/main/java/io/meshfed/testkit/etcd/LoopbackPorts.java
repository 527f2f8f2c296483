package io.meshfed.testkit.etcd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Probes free loopback ports by binding a {@link ServerSocket} on 127.0.0.1.
 *
 * <p>Candidates come from below the kernel's ephemeral range (Linux: {@code
 * /proc/sys/net/ipv4/ip_local_port_range}). The kernel gives those to outgoing connections, so a
 * port taken from it could, while its member is stopped, become the source port of some client
 * connection and block the member's restart. Where the range is unknown we bind port 0 instead.
 *
 * <p>The port is released before etcd binds it, so another process can still win the race;
 * callers retry on {@link PortClashException}. Ports already handed out in this JVM are never
 * handed out again, so two etcds started side by side cannot get the same port from us.
 */
final class LoopbackPorts implements PortAllocator {

    static final LoopbackPorts INSTANCE = new LoopbackPorts(ephemeralRangeStart());

    /** Lowest port we pick: clear of the well-known and most registered service ports. */
    private static final int LOWEST_PORT = 10_000;
    private static final int MAX_PROBES = 200;

    private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();
    private final OptionalInt ephemeralStart;

    private LoopbackPorts(OptionalInt ephemeralStart) {
        this.ephemeralStart = ephemeralStart;
    }

    @Override
    public int nextFreePort() {
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            int port = tryBind(candidate());
            if (port > 0 && handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free loopback port after " + MAX_PROBES + " probes");
    }

    /** A random port below the ephemeral range, or 0 ("any") when that range is unknown or too small. */
    private int candidate() {
        if (ephemeralStart.isEmpty()) {
            return 0;
        }
        return ThreadLocalRandom.current().nextInt(LOWEST_PORT, ephemeralStart.getAsInt());
    }

    /** The port bound, or -1 when {@code port} is taken. */
    private static int tryBind(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException taken) {
            return -1;
        }
    }

    private static OptionalInt ephemeralRangeStart() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            int start = Integer.parseInt(range[0]);
            // Too little room below the range: fall back to letting the kernel choose.
            return start - LOWEST_PORT >= 1_000 ? OptionalInt.of(start) : OptionalInt.empty();
        } catch (IOException | RuntimeException notLinux) {
            return OptionalInt.empty();
        }
    }
}
