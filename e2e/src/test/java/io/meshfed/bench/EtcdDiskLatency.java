package io.meshfed.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's own disk latencies between two scrapes of its metrics: the WAL fsync and the backend
 * commit histograms. They say how much of a write's time etcd spent on its disk, which the
 * controller's submit-to-commit timer cannot separate from the rest.
 */
final class EtcdDiskLatency {

  static final List<String> HISTOGRAMS = List.of(
      "etcd_disk_wal_fsync_duration_seconds", "etcd_disk_backend_commit_duration_seconds");
  private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{le=\"([^\"]+)\"} (\\S+)$");

  private EtcdDiskLatency() {
  }

  /** Histogram name -> cumulative counts per bucket, in the order etcd lists the buckets. */
  static Map<String, double[]> scrape(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, List<Double>> counts = new LinkedHashMap<>();
    Map<String, List<Double>> bounds = new LinkedHashMap<>();
    for (String line : response.body().split("\n")) {
      Matcher m = BUCKET.matcher(line.trim());
      if (m.matches() && HISTOGRAMS.contains(m.group(1))) {
        counts.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Double.parseDouble(m.group(3)));
        bounds.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(
            "+Inf".equals(m.group(2)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2)));
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    counts.forEach((name, c) -> {
      double[] row = new double[c.size() * 2];
      for (int i = 0; i < c.size(); i++) {
        row[2 * i] = bounds.get(name).get(i);
        row[2 * i + 1] = c.get(i);
      }
      out.put(name, row);
    });
    return out;
  }

  /** "wal fsync n=…, p50 <= … ms, p99 <= … ms; backend commit …", from the counts added in between. */
  static String describe(Map<String, double[]> before, Map<String, double[]> after) {
    List<String> parts = new ArrayList<>();
    for (String name : HISTOGRAMS) {
      double[] b = before.get(name);
      double[] a = after.get(name);
      if (a == null || b == null || a.length != b.length) {
        parts.add(name + " not found");
        continue;
      }
      double total = a[a.length - 1] - b[b.length - 1];
      parts.add(String.format(Locale.ROOT, "%s n=%.0f, p50 <= %s ms, p99 <= %s ms", shortName(name), total,
          bound(a, b, total * 0.50), bound(a, b, total * 0.99)));
    }
    return String.join("; ", parts);
  }

  /** The upper bound of the first bucket holding {@code rank} observations (a histogram gives no finer). */
  private static String bound(double[] after, double[] before, double rank) {
    for (int i = 0; i < after.length; i += 2) {
      if (after[i + 1] - before[i + 1] >= rank) {
        return Double.isInfinite(after[i]) ? "inf" : String.format(Locale.ROOT, "%.0f", after[i] * 1000);
      }
    }
    return "?";
  }

  private static String shortName(String name) {
    return name.replace("etcd_disk_", "").replace("_duration_seconds", "").replace('_', ' ');
  }
}
