package io.meshfed.agent;

import io.meshfed.agent.config.AgentConfig;
import io.meshfed.agent.config.AgentCredentials;
import io.meshfed.agent.config.AgentFlags;
import io.meshfed.agent.config.ConfigException;
import io.meshfed.agent.startup.StartupWarmup;
import io.meshfed.certs.Fips;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code meshfed-agent}: checks FIPS mode, reads flags and certificates, starts the {@link Agent}
 * and keeps running until the process is stopped (SIGTERM closes it cleanly).
 *
 * <p>Exit codes: 2 for bad flags or certificate files (the message names the flag), 1 when the
 * JVM is not in FIPS approved-only mode or the agent cannot start, 0 after --help/--version.
 */
public final class AgentMain {
  /** {@link #run} returns this when the agent is running (main then just returns; Vert.x keeps the JVM up). */
  static final int RUNNING = -1;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;
  /** {@code -Dmeshfed.agent.warmup=false} turns the {@link StartupWarmup} off (to measure what it buys). */
  static final String WARMUP_PROPERTY = "meshfed.agent.warmup";

  private AgentMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    if (code != RUNNING) {
      System.exit(code);
    }
  }

  /** Starts the agent or explains why not; {@link #RUNNING} when it runs (a shutdown hook closes it). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    // The FIPS self-tests keep this thread busy for about a second; load the rest meanwhile.
    StartupWarmup warmup = "false".equals(System.getProperty(WARMUP_PROPERTY)) ? null : StartupWarmup.start(AgentMain.class.getClassLoader());
    try {
      Fips.installAndCheck();
    } catch (IllegalStateException e) {
      if (warmup != null) {
        warmup.fipsFailed();
      }
      err.println("meshfed-agent: " + e.getMessage());
      return EXIT_FAILED;
    }
    if (warmup != null) {
      warmup.fipsInstalled();
    }
    String version = version();
    AgentConfig config;
    AgentCredentials credentials;
    try {
      config = AgentFlags.parse(Arrays.asList(args), env, version);
      credentials = AgentCredentials.load(config.certDir());
      AgentFlags.crossCheck(config, credentials);
    } catch (AgentFlags.InfoRequested info) {
      out.print(info.getMessage());
      return 0;
    } catch (ConfigException e) {
      err.println("meshfed-agent: " + e.getMessage());
      return EXIT_USAGE;
    }
    Agent agent;
    try {
      agent = Agent.start(config, credentials, Agent.Options.defaults(env, version));
    } catch (ConfigException e) {
      err.println("meshfed-agent: " + e.getMessage());
      return EXIT_USAGE;
    } catch (RuntimeException e) {
      err.println("meshfed-agent: cannot start: " + e);
      return EXIT_FAILED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "meshfed-agent-shutdown"));
    return RUNNING;
  }

  /** The jar's Implementation-Version, or "dev" when run from classes. */
  static String version() {
    String v = AgentMain.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
