package io.meshfed.testkit.simcluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The launcher's stdin/stdout protocol: one command line in, one reply line out ("ok ..." or
 * "error ..."). A daemon thread reads stdout so the launcher never blocks on a full pipe.
 */
final class ControlChannel {

  /** Put on the queue when the launcher's stdout ends, so a waiting command fails at once. */
  private static final String END_OF_OUTPUT = "\u0000end";

  private final Process process;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

  ControlChannel(Process process) {
    this.process = process;
    Thread reader = new Thread(this::readReplies, "simcluster-replies-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one command and returns the words after "ok"; throws on "error" or no reply in time. */
  synchronized String send(String command, Duration timeout) {
    replies.clear();
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("simulated-cluster launcher does not take commands any more ('" + command
          + "')", e);
    }
    String reply;
    try {
      reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for '" + command + "'", e);
    }
    if (reply == null) {
      throw new IllegalStateException("no reply to '" + command + "' within " + timeout);
    }
    if (END_OF_OUTPUT.equals(reply)) {
      throw new IllegalStateException("simulated-cluster launcher exited before replying to '" + command + "'");
    }
    if (!reply.startsWith("ok ")) {
      throw new IllegalStateException("'" + command + "' failed: " + reply);
    }
    return reply.substring("ok ".length());
  }

  /** Closing stdin tells the launcher to stop its simulated clusters and exit. */
  void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone: the launcher is exiting anyway.
    }
  }

  private void readReplies() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        replies.add(line);
      }
    } catch (IOException e) {
      // The process ended; fall through to the end marker.
    }
    replies.add(END_OF_OUTPUT);
  }
}
