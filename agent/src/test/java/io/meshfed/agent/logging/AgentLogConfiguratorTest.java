package io.meshfed.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Agent logging set up in code: structured stderr lines, MESHFED_LOG_LEVEL, an operator's logback file wins")
class AgentLogConfiguratorTest {

  @Test
  void logbackFindsItAndUsesNoXml() {
    assertThat(ServiceLoader.load(Configurator.class).stream().<Class<?>>map(p -> p.type()))
        .contains(AgentLogConfigurator.class);
    assertThat(AgentLogConfiguratorTest.class.getResource("/logback.xml")).as("no XML configuration shipped").isNull();
    // This test classpath carries logback-test.xml, so the live context must come from it.
    LoggerContext live = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(pattern(live)).contains("thread=%thread");
  }

  @Test
  void structuredStderrAndQuietLibraries() {
    LoggerContext context = new LoggerContext();
    AgentLogConfigurator configurator = new AgentLogConfigurator() {
      @Override
      boolean deferToLogback() {
        return false; // as in the shipped agent, where no logback-test.xml is on the classpath
      }
    };
    configurator.setContext(context);
    assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(pattern(context)).isEqualTo(AgentLogConfigurator.PATTERN);
    assertThat(((ConsoleAppender<?>) context.getLogger("ROOT").getAppender("STDERR")).getTarget()).isEqualTo("System.err");
    for (String name : AgentLogConfigurator.QUIET) {
      assertThat(context.getLogger(name).getLevel()).isEqualTo(Level.WARN);
    }
    assertThat(context.getLogger("ROOT").getAppender("STDERR").isStarted()).isTrue();
  }

  @Test
  void defersToAnOperatorsFile() {
    LoggerContext context = new LoggerContext();
    AgentLogConfigurator configurator = new AgentLogConfigurator();
    configurator.setContext(context);
    assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("ROOT").getAppender("STDERR")).isNull();
  }

  private static String pattern(LoggerContext context) {
    ConsoleAppender<?> stderr = (ConsoleAppender<?>) context.getLogger("ROOT").getAppender("STDERR");
    return ((PatternLayoutEncoder) stderr.getEncoder()).getPattern();
  }

  @Test
  void levelFromEnvironment() {
    assertThat(AgentLogConfigurator.rootLevel(Map.of())).isEqualTo(Level.INFO);
    assertThat(AgentLogConfigurator.rootLevel(Map.of("MESHFED_LOG_LEVEL", " debug "))).isEqualTo(Level.DEBUG);
    assertThat(AgentLogConfigurator.rootLevel(Map.of("MESHFED_LOG_LEVEL", "WARN"))).isEqualTo(Level.WARN);
    // A typo neither stops the agent nor turns on DEBUG (logback's own fallback for unknown names).
    assertThat(AgentLogConfigurator.rootLevel(Map.of("MESHFED_LOG_LEVEL", "verbose"))).isEqualTo(Level.INFO);
  }
}
