package io.meshfed.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link PkiIssuanceBenchmark} and prints a Markdown table with the FIPS/JDK ratio per key
 * type and operation, ready for docs/benchmarks.md. Arguments: {@code [quick]} for a short smoke
 * run (used by the test that keeps this command working).
 */
public final class PkiBenchmarkReport {
  private PkiBenchmarkReport() {}

  /** One measured cell. */
  public record Row(String operation, String keyType, double fipsOpsPerSecond, double jdkOpsPerSecond) {
    public double ratio() {
      return jdkOpsPerSecond == 0 ? 0 : fipsOpsPerSecond / jdkOpsPerSecond;
    }
  }

  public static void main(String[] args) throws RunnerException {
    boolean quick = args.length > 0 && args[0].equals("quick");
    List<Row> rows = run(quick);
    System.out.println(markdown(rows));
  }

  public static List<Row> run(boolean quick) throws RunnerException {
    Options options = new OptionsBuilder()
        .include(PkiIssuanceBenchmark.class.getName())
        .forks(1)
        .jvmArgsAppend("-Dorg.bouncycastle.fips.approved_only=true")
        .warmupIterations(quick ? 1 : 3)
        .warmupTime(TimeValue.seconds(quick ? 1 : 3))
        .measurementIterations(quick ? 1 : 5)
        .measurementTime(TimeValue.seconds(quick ? 1 : 4))
        .build();
    return toRows(new Runner(options).run());
  }

  static List<Row> toRows(Collection<RunResult> results) {
    Map<String, double[]> cells = new LinkedHashMap<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      String op = method.substring(method.lastIndexOf('.') + 1);
      String key = op + "|" + r.getParams().getParam("keyType");
      double score = r.getPrimaryResult().getScore();
      double[] pair = cells.computeIfAbsent(key, k -> new double[2]);
      pair["FIPS".equals(r.getParams().getParam("providers")) ? 0 : 1] = score;
    }
    List<Row> rows = new ArrayList<>();
    cells.forEach((k, v) -> {
      String[] parts = k.split("\\|");
      rows.add(new Row(parts[0], parts[1], v[0], v[1]));
    });
    return rows;
  }

  public static String markdown(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| operation | key type | BCFIPS ops/s | JDK ops/s | FIPS/JDK |\n");
    sb.append("|---|---|---:|---:|---:|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f |%n", r.operation(), r.keyType(), r.fipsOpsPerSecond(), r.jdkOpsPerSecond(), r.ratio()));
    }
    return sb.toString();
  }
}
