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

  /** One bucket of a Prometheus histogram: its upper bound in seconds and its cumulative count. */
  record Bucket(double le, double count) {
  }

  private EtcdDiskLatency() {
  }

  /** Histogram name -> its buckets, in the order etcd lists them (ascending bounds). */
  static Map<String, List<Bucket>> scrape(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, List<Bucket>> histograms = new LinkedHashMap<>();
    for (String line : response.body().split("\n")) {
      Matcher m = BUCKET.matcher(line.trim());
      if (m.matches() && HISTOGRAMS.contains(m.group(1))) {
        double le = "+Inf".equals(m.group(2)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
        histograms.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Bucket(le, Double.parseDouble(m.group(3))));
      }
    }
    return histograms;
  }

  /** "wal fsync n=…, p50 <= … ms, p99 <= … ms; backend commit …", from the counts added in between. */
  static String describe(Map<String, List<Bucket>> before, Map<String, List<Bucket>> after) {
    List<String> parts = new ArrayList<>();
    for (String name : HISTOGRAMS) {
      List<Bucket> b = before.get(name);
      List<Bucket> a = after.get(name);
      if (a == null || b == null || a.size() != b.size() || a.isEmpty()) {
        parts.add(name + " not found");
        continue;
      }
      double total = a.get(a.size() - 1).count() - b.get(b.size() - 1).count();
      parts.add(String.format(Locale.ROOT, "%s n=%.0f, p50 <= %s ms, p99 <= %s ms", shortName(name), total,
          bound(a, b, total * 0.50), bound(a, b, total * 0.99)));
    }
    return String.join("; ", parts);
  }

  /** The upper bound of the first bucket holding {@code rank} observations (a histogram gives no finer). */
  private static String bound(List<Bucket> after, List<Bucket> before, double rank) {
    for (int i = 0; i < after.size(); i++) {
      if (after.get(i).count() - before.get(i).count() >= rank) {
        double le = after.get(i).le();
        return Double.isInfinite(le) ? "inf" : String.format(Locale.ROOT, "%.0f", le * 1000);
      }
    }
    return "?";
  }

  private static String shortName(String name) {
    return name.replace("etcd_disk_", "").replace("_duration_seconds", "").replace('_', ' ');
  }
}
