package io.meshfed.controller.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback between clients and one upstream port, standing for the network path to
 * a member's API server: it passes bytes ({@link #pass()}), holds them without answering, as a
 * hung API server or a black-holed route does ({@link #stall()}), or resets every connection and
 * refuses new ones, as a restarting API server does ({@link #cut()}). TLS passes through untouched,
 * so the client still verifies the member's certificate. Two threads per connection: for tests.
 */
public final class FaultyLink implements AutoCloseable {
  /** What the link does with bytes now. */
  public enum Mode { PASS, STALL, CUT }

  private final int upstreamPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  /** System.nanoTime of every accepted connection, in order. */
  private final Queue<Long> acceptedAt = new ConcurrentLinkedQueue<>();
  private volatile Mode mode = Mode.PASS;
  private volatile boolean closed;

  private FaultyLink(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "faulty-link-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A link in {@link Mode#PASS} to {@code upstreamPort} on loopback. */
  public static FaultyLink to(int upstreamPort) throws IOException {
    return new FaultyLink(upstreamPort);
  }

  /** The port clients use instead of the upstream's. */
  public int port() {
    return server.getLocalPort();
  }

  public Mode mode() {
    return mode;
  }

  /** Connections accepted so far (each client reconnect is one). */
  public long accepted() {
    return accepted.get();
  }

  /** When (System.nanoTime) the first connection after {@code sinceNanos} was accepted, if one was. */
  public OptionalLong firstAcceptedAfter(long sinceNanos) {
    return acceptedAt.stream().mapToLong(Long::longValue).filter(t -> t >= sinceNanos).findFirst();
  }

  /** Bytes flow again; connections held by a stall resume where they stopped. */
  public void pass() {
    synchronized (this) {
      mode = Mode.PASS;
      notifyAll();
    }
  }

  /** Bytes are held in both directions: requests get no answer until the client's own timeout. */
  public void stall() {
    mode = Mode.STALL;
  }

  /** Every open connection is reset and new ones are closed at once: the member is down. */
  public void cut() {
    mode = Mode.CUT;
    synchronized (this) {
      notifyAll();
    }
    open.forEach(FaultyLink::closeQuietly);
    open.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      acceptedAt.add(System.nanoTime());
      accepted.incrementAndGet();
      if (mode == Mode.CUT) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
        // A relay re-sends each read as its own small write: with Nagle on, such a write waits for
        // the peer's delayed ACK (40 ms) before it leaves, and every request through the link
        // pays that several times over (measured: joins through a link 7-11 s, a direct one 3 s;
        // with this, 4-6 s either way on the same loaded machine).
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // Upstream down: the client sees its connection closed, as with a refused connect.
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          awaitFlow();
          if (mode == Mode.CUT) {
            break;
          }
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // one side went away: close both below
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "faulty-link-pump-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** Blocks while the link stalls. */
  private synchronized void awaitFlow() throws InterruptedException {
    while (mode == Mode.STALL && !closed) {
      wait();
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
    cut();
  }
}
