package io.meshfed.agent.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.certs.Fips;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupWarmupTest {

  /** A loader that serves {@code list} as the warm-up's resource and delegates everything else. */
  static ClassLoader serving(String list) {
    return new ClassLoader(StartupWarmupTest.class.getClassLoader()) {
      @Override
      public InputStream getResourceAsStream(String name) {
        return StartupWarmup.LIST.equals(name) ? new ByteArrayInputStream(list.getBytes(StandardCharsets.UTF_8)) : super.getResourceAsStream(name);
      }

      @Override
      public URL getResource(String name) {
        return StartupWarmup.LIST.equals(name) ? null : super.getResource(name);
      }
    };
  }

  @Test
  void readsOneNamePerLineAndSkipsCommentsAndBlanks() {
    List<String> names = StartupWarmup.read(serving("# header\n\njava.util.ArrayList\n  io.vertx.core.Vertx  \n#io.netty.Nope\n"));

    assertThat(names).containsExactly("java.util.ArrayList", "io.vertx.core.Vertx");
  }

  @Test
  void noListMeansNothingToLoad() {
    ClassLoader empty = new ClassLoader(null) {
      @Override
      public InputStream getResourceAsStream(String name) {
        return null;
      }
    };

    assertThat(StartupWarmup.read(empty)).isEmpty();
  }

  @Test
  void loadsWithoutInitializingSkipsWhatIsGoneAndStopsWhenFipsFailed() throws Exception {
    String probe = NeverInitialized.class.getName();
    StartupWarmup warmup = StartupWarmup.start(serving(probe + "\nio.meshfed.gone.NoSuchClass\n"));
    warmup.fipsFailed();

    assertThat(warmup.await(30_000)).isTrue();
    assertThat(warmup.loaded()).isEqualTo(1);
    assertThat(warmup.missing()).isEqualTo(1);
    assertThat(Witness.initializerRan).as("a static initializer ran during the warm-up").isFalse();
    assertThat(warmup.tlsWarmed()).as("no TLS work after a failed FIPS check").isFalse();
  }

  @Test
  void waitsForFipsThenWarmsTheTlsProvider() throws Exception {
    StartupWarmup warmup = StartupWarmup.start(serving(""));
    assertThat(warmup.await(200)).as("the thread waits for the FIPS providers").isFalse();

    Fips.installAndCheck();
    warmup.fipsInstalled();

    assertThat(warmup.await(60_000)).isTrue();
    assertThat(warmup.tlsWarmed()).isTrue();
  }

  @Test
  void theShippedListIsCurrent() throws Exception {
    List<String> names = StartupWarmup.read(StartupWarmup.class.getClassLoader());
    StartupWarmup warmup = StartupWarmup.start(StartupWarmup.class.getClassLoader());
    warmup.fipsFailed();

    assertThat(warmup.await(120_000)).isTrue();
    assertThat(names).as("agent/classlist has been run").hasSizeGreaterThan(1000);
    assertThat(names).noneMatch(n -> n.startsWith("io.meshfed.agent.startup."));
    // Names of classes a dependency no longer has are skipped at run time; many of them mean the
    // list is stale (regenerate it with agent/classlist after a dependency upgrade).
    assertThat(warmup.missing()).as("classes in the list that no longer exist").isLessThanOrEqualTo(names.size() / 100);
  }

  /** Tells, in {@link Witness}, whether its static initializer ran (reading a field of its own would run it). */
  static final class NeverInitialized {
    static {
      Witness.initializerRan = true;
    }

    private NeverInitialized() {}
  }

  static final class Witness {
    static volatile boolean initializerRan;

    private Witness() {}
  }
}
