package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bouncy Castle's java.util.logging records become one-line key=value records on stderr")
class StructuredJulHandlerTest {

  @Test
  void oneLineWhateverTheMessageHolds() {
    StructuredJulHandler handler = new StructuredJulHandler(() -> System.err);
    LogRecord r = new LogRecord(Level.WARNING, "Ignoring unsupported entry in ''{0}'':\n\"SHA1 jdkCA\"");
    r.setParameters(new Object[] {"jdk.certpath.disabledAlgorithms"});
    r.setLoggerName("org.bouncycastle.jsse.provider.DisabledAlgorithmConstraints");
    r.setMillis(0);
    assertThat(handler.format(r)).isEqualTo("ts=1970-01-01T00:00:00.000Z level=WARN logger=DisabledAlgorithmConstraints op=crypto.provider"
        + " message=\"Ignoring unsupported entry in 'jdk.certpath.disabledAlgorithms':\\n\\\"SHA1 jdkCA\\\"\"");
    assertThat(StructuredJulHandler.level(Level.SEVERE)).isEqualTo("ERROR");
    assertThat(StructuredJulHandler.level(Level.INFO)).isEqualTo("INFO");
    assertThat(StructuredJulHandler.level(Level.FINE)).isEqualTo("DEBUG");
  }

  @Test
  void installedByFipsForEveryBouncyCastleLogger() {
    Fips.install();
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Logger.getLogger("org.bouncycastle.jsse.provider.SomeClass").warning("a warning\nover two lines");
      Logger.getLogger("org.bouncycastle.jsse.provider.SomeClass").info("a handshake, below the level");
    } finally {
      System.setErr(saved);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out.lines()).hasSize(1);
    assertThat(out).startsWith("ts=").contains("level=WARN logger=SomeClass op=crypto.provider message=\"a warning\\nover two lines\"");
  }
}
