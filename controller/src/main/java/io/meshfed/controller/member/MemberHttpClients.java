package io.meshfed.controller.member;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's JDK HTTP client factory, with one executor shared by every member client instead of a
 * pool per client that {@code close()} shuts down.
 *
 * <p>Why: Java 17's {@code java.net.http.HttpClient} cannot be closed. fabric8 "closes" it by
 * shutting its executor down, right after asking the client's watches to stop. The JDK client
 * finishes a cancelled or ended exchange on that executor; shut down, it rejects the work, the
 * exchange never completes, and the client's selector thread and its sockets (in CLOSE_WAIT once
 * the API server hangs up) stay for the life of the process. Each member that left, each restart
 * of a sync session and each policy worker rebuilt leaked a client that way: the soak run found
 * about 4 selector threads and 8 sockets per leave and rejoin. With an executor that outlives the
 * client, the exchanges end, and the JDK releases the client once it is unreachable.
 */
public final class MemberHttpClients extends JdkHttpClientFactory {
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** Idle threads end after a minute (a cached pool), as the JDK client's own default executor does. */
  private static final ExecutorService SHARED = Executors.newCachedThreadPool(task -> {
    Thread t = new Thread(task, "meshfed-member-http-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  @Override
  protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
    builder.executor(SHARED);
  }
}
