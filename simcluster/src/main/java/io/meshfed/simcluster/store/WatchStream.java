package io.meshfed.simcluster.store;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One open watch: the events it selects, in the order the store made them.
 *
 * <p>Events are queued from the moment the watch is accepted (under the store's lock, so none is
 * missed or reordered) and sent once the WebSocket is open.
 *
 * <p>How they are sent matters for latency: the mock's {@code WebSocket.send} waits for each write
 * to complete unless it is called on a Vert.x thread. The mock serves every request on one event
 * loop, and a write waited for from another thread needs a turn of that loop, which is busy
 * answering requests; one event per turn let a churning store's watch fall tens of seconds behind.
 * Store changes are made on that event loop, so they are written there at once, without waiting,
 * in order. Only a change made off the loop (a control command, say) goes through this stream's
 * own thread, and while such a write is outstanding every later one follows it there, so the
 * order holds.
 */
final class WatchStream extends WebSocketListener {

  private static final AtomicInteger STREAMS = new AtomicInteger();

  private final AttributeSet query;
  private final Consumer<WatchStream> onEnd;
  private final ExecutorService sender;
  private final boolean closeAfterQueued;
  /** Guarded by this. Events waiting for the socket to open; null once it is open. */
  private List<String> queued = new ArrayList<>();
  /** Guarded by this. */
  private WebSocket socket;
  /** Guarded by this. */
  private boolean ended;
  /** Guarded by this. Writes handed to {@link #sender} and not finished yet. */
  private int writesOffLoop;

  private WatchStream(AttributeSet query, Consumer<WatchStream> onEnd, boolean closeAfterQueued) {
    this.query = query;
    this.onEnd = onEnd;
    this.closeAfterQueued = closeAfterQueued;
    this.sender = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "simcluster-watch-" + STREAMS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** A watch that stays open and sends what the store changes. */
  static WatchStream live(AttributeSet query, Consumer<WatchStream> onEnd) {
    return new WatchStream(query, onEnd, false);
  }

  /** A watch that sends one final event (such as 410 Gone) and closes. */
  static WatchStream ending(String finalEvent) {
    WatchStream stream = new WatchStream(new AttributeSet(), ignored -> { }, true);
    stream.send(finalEvent);
    return stream;
  }

  /** Whether an object with these attributes is one this watch reports. */
  boolean selects(AttributeSet attributes) {
    return attributes != null && attributes.matches(query);
  }

  synchronized void send(String event) {
    if (ended) {
      return;
    }
    if (queued != null) {
      queued.add(event);
      return;
    }
    deliver(event);
  }

  /** Guarded by this (callers hold the lock). */
  private void deliver(String event) {
    WebSocket open = socket;
    if (writesOffLoop == 0 && Vertx.currentContext() != null) {
      open.send(event);
      return;
    }
    writesOffLoop++;
    sender.execute(() -> {
      try {
        open.send(event);
      } finally {
        synchronized (this) {
          writesOffLoop--;
        }
      }
    });
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    synchronized (this) {
      socket = webSocket;
      List<String> backlog = queued;
      queued = null;
      for (String event : backlog) {
        deliver(event);
      }
      if (closeAfterQueued) {
        sender.execute(() -> webSocket.close(1000, "watch ended"));
      }
    }
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    // Behind the events already queued, so a client closing the watch still gets them in order.
    synchronized (this) {
      if (!ended) {
        sender.execute(() -> webSocket.close(code, reason));
      }
    }
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    end();
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    end();
  }

  private void end() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    onEnd.accept(this);
    sender.shutdown();
  }
}
