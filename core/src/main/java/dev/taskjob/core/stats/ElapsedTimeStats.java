package dev.taskjob.core.stats;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Task elapsed times summarised in bounded memory: exact count, min, max, mean and standard
 * deviation, and percentiles from a log-scale histogram whose buckets are 1% wide (so a reported
 * median is within 1% of the true one). A million tasks cost the same few kilobytes as ten, and two
 * summaries merge exactly (workers' and the operator's views combine).
 */
public final class ElapsedTimeStats {

  /** Bucket i holds values in [MIN_SECONDS * GROWTH^i, MIN_SECONDS * GROWTH^(i+1)). */
  private static final double MIN_SECONDS = 0.001;
  private static final double GROWTH = 1.01;
  private static final double LOG_GROWTH = Math.log(GROWTH);

  private final TreeMap<Integer, Long> buckets = new TreeMap<>();
  private long count;
  private double sum;
  private double sumOfSquares;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  public ElapsedTimeStats() {}

  /** Records one elapsed time in seconds (negative values count as 0). */
  public synchronized void record(double seconds) {
    double v = Math.max(0, seconds);
    count++;
    sum += v;
    sumOfSquares += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
    buckets.merge(bucket(v), 1L, Long::sum);
  }

  /** Adds everything recorded in {@code other}. */
  public synchronized void merge(ElapsedTimeStats other) {
    Snapshot s = other.snapshotState();
    count += s.count;
    sum += s.sum;
    sumOfSquares += s.sumOfSquares;
    min = Math.min(min, s.min);
    max = Math.max(max, s.max);
    s.buckets.forEach((b, n) -> buckets.merge(b, n, Long::sum));
  }

  public synchronized long count() {
    return count;
  }

  public synchronized double min() {
    return count == 0 ? 0 : min;
  }

  public synchronized double max() {
    return count == 0 ? 0 : max;
  }

  public synchronized double mean() {
    return count == 0 ? 0 : sum / count;
  }

  /** Population standard deviation, as rms-cloud-tasks reports it ("mean +/- sd"). */
  public synchronized double standardDeviation() {
    if (count == 0) {
      return 0;
    }
    double mean = sum / count;
    return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
  }

  /** The p-th percentile (0..100), within 1%; clamped to [min, max]. */
  public synchronized double percentile(double p) {
    if (count == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(p / 100.0 * count);
    rank = Math.max(1, Math.min(count, rank));
    long seen = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      seen += e.getValue();
      if (seen >= rank) {
        double mid = bucketMidpoint(e.getKey());
        return Math.max(min, Math.min(max, mid));
      }
    }
    return max;
  }

  public double median() {
    return percentile(50);
  }

  /** The summary block rms-cloud-tasks users know, indented by {@code indent}. */
  public String format(String indent) {
    if (count() == 0) {
      return indent + "Elapsed time statistics: no tasks finished\n";
    }
    return String.format(Locale.ROOT,
        "%sElapsed time statistics:%n"
            + "%s  Range:  %.2f to %.2f seconds%n"
            + "%s  Mean:   %.2f +/- %.2f seconds%n"
            + "%s  Median: %.2f seconds%n"
            + "%s  90th %%: %.2f seconds%n"
            + "%s  95th %%: %.2f seconds%n",
        indent, indent, min(), max(), indent, mean(), standardDeviation(), indent, median(),
        indent, percentile(90), indent, percentile(95));
  }

  /** How many times fell in each 1% bucket, keyed by the bucket's middle in seconds (ascending), for histograms. */
  public synchronized java.util.NavigableMap<Double, Long> countsByBucketMidpoint() {
    TreeMap<Double, Long> counts = new TreeMap<>();
    buckets.forEach((b, n) -> counts.merge(bucketMidpoint(b), n, Long::sum));
    return counts;
  }

  /** The state as a JSON-friendly value, for storing next to the ledger. */
  public synchronized Snapshot snapshot() {
    return snapshotState();
  }

  /** Rebuilds stats from a {@link #snapshot()}. */
  public static ElapsedTimeStats fromSnapshot(Snapshot snapshot) {
    ElapsedTimeStats stats = new ElapsedTimeStats();
    if (snapshot != null && snapshot.count > 0) {
      stats.count = snapshot.count;
      stats.sum = snapshot.sum;
      stats.sumOfSquares = snapshot.sumOfSquares;
      stats.min = snapshot.min;
      stats.max = snapshot.max;
      stats.buckets.putAll(snapshot.buckets);
    }
    return stats;
  }

  private Snapshot snapshotState() {
    return new Snapshot(count, sum, sumOfSquares, count == 0 ? 0 : min, count == 0 ? 0 : max, new TreeMap<>(buckets));
  }

  private static int bucket(double seconds) {
    if (seconds <= MIN_SECONDS) {
      return 0;
    }
    return 1 + (int) Math.floor(Math.log(seconds / MIN_SECONDS) / LOG_GROWTH);
  }

  private static double bucketMidpoint(int bucket) {
    if (bucket == 0) {
      return MIN_SECONDS / 2;
    }
    double low = MIN_SECONDS * Math.pow(GROWTH, bucket - 1);
    return low * (1 + GROWTH) / 2;
  }

  /** Serialisable state: counts per 1% bucket plus exact moments. */
  public record Snapshot(
      @JsonProperty("count") long count,
      @JsonProperty("sum") double sum,
      @JsonProperty("sumOfSquares") double sumOfSquares,
      @JsonProperty("min") double min,
      @JsonProperty("max") double max,
      @JsonProperty("buckets") TreeMap<Integer, Long> buckets) {

    @JsonCreator
    public Snapshot {
      buckets = buckets == null ? new TreeMap<>() : buckets;
    }
  }
}
