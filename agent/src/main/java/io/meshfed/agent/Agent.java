package io.meshfed.agent;

import io.fabric8.kubernetes.client.Config;
import io.meshfed.agent.collect.EtcdProbe;
import io.meshfed.agent.collect.HealthCollector;
import io.meshfed.agent.collect.KubeAccess;
import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.report.Backoff;
import io.meshfed.agent.report.ReportChanges;
import io.meshfed.agent.report.ReportStream;
import io.meshfed.api.health.v1.HealthReport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: a collector thread that ticks every {@link #PROBE_PERIOD} (or every report
 * interval when that is shorter), and the report stream on one Vert.x event loop.
 *
 * <p>After every collector group the snapshot is offered to the stream when it changed
 * meaningfully ({@link ReportChanges}) or when a report interval passed since the last offer, so
 * reports go out at the interval and at once on change. Settings from the controller change the
 * interval and take effect at the next tick.
 */
public final class Agent implements AutoCloseable {
  /** How often the cheap collectors run (at most; a shorter report interval ticks faster). */
  public static final Duration PROBE_PERIOD = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /**
   * What tests may replace.
   *
   * @param clock every time the agent reads or reports
   * @param random the backoff jitter
   * @param backoffInitial the first reconnect window
   * @param backoffMax the largest reconnect window
   * @param env the process environment (in-cluster detection)
   * @param version the agent's version, as reported
   */
  public record Options(Clock clock, Random random, Duration backoffInitial, Duration backoffMax, Map<String, String> env,
      String version) {
    public Options {
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(random, "random");
      env = Map.copyOf(env);
    }

    public static Options defaults(Map<String, String> env, String version) {
      return new Options(Clock.systemUTC(), new Random(), Backoff.DEFAULT_INITIAL, Backoff.DEFAULT_MAX, env, version);
    }

    public Options withBackoff(Duration initial, Duration max) {
      return new Options(clock, random, initial, max, env, version);
    }
  }

  private final String cluster;
  private final Clock clock;
  private final Vertx vertx;
  private final KubeAccess kube;
  private final ReportStream stream;
  private final HealthCollector collector;
  private final ScheduledExecutorService loop;
  private volatile Duration interval;
  private volatile boolean closed;
  // Collector thread only.
  private ScheduledFuture<?> next;
  private HealthReport lastOffered;
  private Instant lastOfferedAt;

  private Agent(AgentConfig config, AgentCredentials credentials, Options options) {
    this.cluster = credentials.cluster();
    this.clock = options.clock();
    this.interval = config.interval();
    Config kubernetes = KubeAccess.configure(config.kubeconfig(), options.env());
    // One event loop is plenty for one stream and a probe; small pools keep the heap small.
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    this.stream = new ReportStream(vertx, SocketAddress.inetSocketAddress(config.controllerPort(), config.controllerHost()), credentials,
        clock, new Backoff(options.backoffInitial(), options.backoffMax(), options.random()), this::onSettings);
    this.stream.interval(interval);
    // The TLS connection to the controller is set up while fabric8 loads: on a cold JVM both take a while.
    this.stream.start();
    this.kube = KubeAccess.create(kubernetes);
    this.collector = HealthCollector.create(config, credentials, kube, new EtcdProbe(vertx, clock), options.version(), clock.instant(),
        stream::updateCredentials);
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meshfed-agent-collector");
      t.setDaemon(true);
      return t;
    });
    LOG.info("cluster={} op=start controller={} kubernetes={} interval={}s version={}", cluster, config.controller(), kube.server(),
        interval.toSeconds(), options.version());
  }

  /**
   * Starts collecting and reporting; returns at once.
   *
   * @throws io.meshfed.agent.config.ConfigException when the Kubernetes configuration cannot be built
   */
  public static Agent start(AgentConfig config, AgentCredentials credentials, Options options) {
    Agent agent = new Agent(config, credentials, options);
    agent.loop.execute(agent::tick);
    return agent;
  }

  /** The report interval in force. */
  public Duration interval() {
    return interval;
  }

  /** The report stream's state. */
  public ReportStream.Status status() {
    return stream.status();
  }

  private void tick() {
    try {
      collector.tick(clock.instant(), interval, this::publish);
    } catch (RuntimeException | Error e) {
      LOG.error("cluster={} op=tick result=error", cluster, e);
    } finally {
      scheduleNext();
    }
  }

  private void scheduleNext() {
    if (closed) {
      return;
    }
    Duration period = interval.compareTo(PROBE_PERIOD) < 0 ? interval : PROBE_PERIOD;
    next = loop.schedule(this::tick, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publish(HealthReport snapshot) {
    Instant now = clock.instant();
    boolean changed = lastOffered == null || ReportChanges.meaningful(lastOffered, snapshot);
    boolean due = lastOfferedAt == null || !now.isBefore(lastOfferedAt.plus(interval));
    if (!changed && !due) {
      return;
    }
    if (changed && lastOffered != null) {
      LOG.info("cluster={} op=report.change sections={}", cluster, ReportChanges.changedSections(lastOffered, snapshot));
    }
    stream.offer(snapshot);
    lastOffered = snapshot;
    lastOfferedAt = now;
  }

  private void onSettings(int seconds) {
    Duration requested = Duration.ofSeconds(seconds);
    if (requested.equals(interval)) {
      return;
    }
    LOG.info("cluster={} op=settings.apply interval={}s previous={}s", cluster, seconds, interval.toSeconds());
    interval = requested;
    stream.interval(requested);
    if (!closed) {
      loop.execute(() -> {
        // Re-time the next tick with the new period (the loop thread owns `next`).
        if (next != null && next.cancel(false)) {
          scheduleNext();
        }
      });
    }
  }

  /** Stops collecting, ends the stream, closes the Kubernetes client and Vert.x. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
      stream.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("cluster={} op=stop result=error error=\"{}\"", cluster, e.toString());
    }
    kube.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("cluster={} op=stop result=error error=\"{}\"", cluster, e.toString());
    }
    LOG.info("cluster={} op=stop result=ok", cluster);
  }
}
