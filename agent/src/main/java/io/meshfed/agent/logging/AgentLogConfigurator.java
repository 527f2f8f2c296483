package io.meshfed.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's logging set up in code rather than from a {@code logback.xml}: parsing XML pulls in
 * the JDK's XML parser and logback's Joran model (about 600 classes, several MB of metaspace),
 * which is a visible share of a 150 MiB agent. Same output as the controller: structured
 * {@code key=value} lines on stderr, every line naming the cluster and the operation.
 *
 * <p>{@code MESHFED_LOG_LEVEL} sets the root level (default INFO). An operator who needs a full
 * logback configuration passes {@code -Dlogback.configurationFile=...} (through
 * {@code MESHFED_JAVA_OPTS}); this configurator then steps aside for logback's own (see
 * {@link #deferToLogback()}).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public class AgentLogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "ts=%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} level=%level logger=%logger{0} %msg%n";
  /** Libraries that are chatty at INFO; their warnings still show. */
  static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
  static final String[] QUIET = {"io.fabric8", "io.netty", "io.vertx"};

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (deferToLogback()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(stderr);
    root.setLevel(rootLevel(System.getenv()));
    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * An operator's file, a test classpath with its logback-test.xml, or a classpath that also holds
   * another program's logback.xml (the demo's single lib directory serves the controller, whose
   * CLI logs at WARN by default, and the agents): logback's own configuration wins.
   */
  boolean deferToLogback() {
    return System.getProperty("logback.configurationFile") != null || getClass().getResource("/logback-test.xml") != null
        || getClass().getResource("/logback.xml") != null;
  }

  /**
   * {@code MESHFED_LOG_LEVEL}: TRACE, DEBUG, INFO, WARN or ERROR in any case, default INFO. A bad
   * value must not stop an agent (it would take the mesh's view of this cluster with it), so it
   * is named on stderr and INFO is used.
   */
  static Level rootLevel(Map<String, String> env) {
    String value = env.get("MESHFED_LOG_LEVEL");
    if (value == null || value.isBlank()) {
      return Level.INFO;
    }
    String name = value.trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(name)) {
      System.err.println("level=WARN logger=AgentLogConfigurator op=config.log-level MESHFED_LOG_LEVEL=\"" + value
          + "\" is not one of " + LEVELS + "; using INFO");
      return Level.INFO;
    }
    return Level.toLevel(name);
  }
}
