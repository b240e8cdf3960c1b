package dev.taskjob.worker;

import dev.taskjob.core.event.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts and elapsed-time statistics of a worker's run, printed at the end in the layout of
 * rms-cloud-tasks' event monitor summary. Not thread-safe: the dispatcher thread records.
 */
public final class RunSummary {

  /** Percentiles and moments of a sample, in seconds. */
  public record Stats(int count, double min, double max, double mean, double stddev, double median, double p90,
      double p95) {}

  private final Map<String, Long> eventCounts = new TreeMap<>();
  private double[] elapsed = new double[1024];
  private int elapsedCount;
  private long succeeded;
  private long failed;
  private long timedOut;
  private long retried;
  private long interrupted;
  private long firstStartNanos = -1;
  private long lastEndNanos = -1;

  public void started(long nanos) {
    if (firstStartNanos < 0) {
      firstStartNanos = nanos;
    }
  }

  /** Records an attempt that ended with a result. */
  public void attemptEnded(EventType type, boolean retry, double elapsedSeconds, long endNanos) {
    eventCounts.merge(String.format("%-16s (retry=%s):", type.jsonName(), retry), 1L, Long::sum);
    if (elapsed.length == elapsedCount) {
      elapsed = Arrays.copyOf(elapsed, elapsed.length * 2);
    }
    elapsed[elapsedCount++] = elapsedSeconds;
    lastEndNanos = Math.max(lastEndNanos, endNanos);
    if (retry) {
      retried++;
    } else {
      switch (type) {
        case TASK_COMPLETED -> succeeded++;
        case TASK_TIMED_OUT -> timedOut++;
        default -> failed++;
      }
    }
  }

  /** Records an attempt the worker stopped without a result (shutdown, preemption). */
  public void interrupted(long endNanos) {
    interrupted++;
    eventCounts.merge(String.format("%-16s (interrupted):", EventType.TASK_RETRIED.jsonName()), 1L, Long::sum);
    lastEndNanos = Math.max(lastEndNanos, endNanos);
  }

  public long succeeded() {
    return succeeded;
  }

  /** Tasks whose final result is a failure (exit code or timeout). */
  public long finallyFailed() {
    return failed + timedOut;
  }

  public long retried() {
    return retried;
  }

  public long interruptedCount() {
    return interrupted;
  }

  /** Tasks with a final result. */
  public long finished() {
    return succeeded + failed + timedOut;
  }

  /** Seconds from the first task start to the last task end, 0 before any task ended. */
  public double wallSeconds() {
    return firstStartNanos < 0 || lastEndNanos < 0 ? 0 : (lastEndNanos - firstStartNanos) / 1e9;
  }

  public Stats elapsedStats() {
    return stats(Arrays.copyOf(elapsed, elapsedCount));
  }

  /** Statistics with linearly interpolated percentiles (numpy's default, which rms-cloud-tasks prints). */
  public static Stats stats(double[] values) {
    if (values.length == 0) {
      return new Stats(0, 0, 0, 0, 0, 0, 0, 0);
    }
    double[] v = values.clone();
    Arrays.sort(v);
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    double mean = sum / v.length;
    double squares = 0;
    for (double x : v) {
      squares += (x - mean) * (x - mean);
    }
    return new Stats(v.length, v[0], v[v.length - 1], mean, Math.sqrt(squares / v.length), percentile(v, 50),
        percentile(v, 90), percentile(v, 95));
  }

  static double percentile(double[] sorted, double p) {
    double rank = p / 100 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  /** The summary lines, without the logger's prefix. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("Summary:");
    out.add(String.format("  Tasks succeeded: %d, failed: %d, timed out: %d, retried attempts: %d, interrupted: %d",
        succeeded, failed, timedOut, retried, interrupted));
    out.add("  Task event status:");
    if (eventCounts.isEmpty()) {
      out.add("    (no tasks ran)");
    }
    int width = Long.toString(eventCounts.values().stream().mapToLong(Long::longValue).max().orElse(0)).length();
    eventCounts.forEach((k, n) -> out.add(String.format("    %-32s %" + Math.max(5, width) + "d", k, n)));
    double wall = wallSeconds();
    out.add(String.format("  Tasks finished: %d in %.2f seconds (%.2f tasks/second)", finished(), wall,
        wall > 0 ? finished() / wall : 0.0));
    ProcessHandle.current().info().totalCpuDuration().ifPresent(cpu -> out.add(String.format(
        "  Worker CPU time: %.2f seconds (%.3f ms per task attempt), not counting the tasks", cpu.toNanos() / 1e9,
        elapsedCount == 0 ? 0.0 : cpu.toNanos() / 1e6 / (elapsedCount + interrupted))));
    Stats s = elapsedStats();
    if (s.count() > 0) {
      out.add("  Elapsed time statistics:");
      out.add(String.format("    Range:  %.3f to %.3f seconds", s.min(), s.max()));
      out.add(String.format("    Mean:   %.3f +/- %.3f seconds", s.mean(), s.stddev()));
      out.add(String.format("    Median: %.3f seconds", s.median()));
      out.add(String.format("    90th %%: %.3f seconds", s.p90()));
      out.add(String.format("    95th %%: %.3f seconds", s.p95()));
    }
    return out;
  }
}
