package io.meshfed.certs;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Writes the Bouncy Castle providers' java.util.logging records (BCJSSE warns through JUL, e.g.
 * about {@code jdk.certpath.disabledAlgorithms} entries it cannot parse) as the same one-line
 * {@code key=value} records the rest of meshfed writes on stderr, instead of JUL's two-line console
 * format, which log pipelines split and cannot parse. A tiny handler rather than a JUL-to-SLF4J
 * bridge: this module has no logging dependency and the FIPS jars log a few lines per process.
 */
final class StructuredJulHandler extends Handler {
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
  private final Supplier<PrintStream> out;
  private final Formatter messages = new SimpleFormatter();

  /** @param out where lines go, looked up per record so a test or a redirected stderr is honoured */
  StructuredJulHandler(Supplier<PrintStream> out) {
    this.out = out;
  }

  @Override
  public void publish(LogRecord record) {
    if (record == null || !isLoggable(record)) {
      return;
    }
    String line = format(record);
    PrintStream stream = out.get();
    synchronized (stream) {
      stream.println(line);
    }
  }

  String format(LogRecord record) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("ts=").append(TS.format(Instant.ofEpochMilli(record.getMillis())));
    sb.append(" level=").append(level(record.getLevel()));
    sb.append(" logger=").append(shortName(record.getLoggerName()));
    sb.append(" op=crypto.provider message=\"").append(escape(messages.formatMessage(record))).append('"');
    if (record.getThrown() != null) {
      sb.append(" error=\"").append(escape(String.valueOf(record.getThrown()))).append('"');
    }
    return sb.toString();
  }

  static String level(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (v >= Level.WARNING.intValue()) {
      return "WARN";
    }
    return v >= Level.INFO.intValue() ? "INFO" : "DEBUG";
  }

  private static String shortName(String logger) {
    if (logger == null) {
      return "-";
    }
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  /** One line whatever the message holds: quotes, backslashes and line breaks escaped. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n");
  }

  @Override
  public void flush() {
    out.get().flush();
  }

  @Override
  public void close() {
    flush();
  }
}
