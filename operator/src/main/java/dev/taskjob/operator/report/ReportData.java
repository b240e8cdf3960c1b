package dev.taskjob.operator.report;

import dev.taskjob.core.stats.ElapsedTimeStats;
import java.time.Instant;
import java.util.List;

/**
 * Everything one job's HTML report shows, read from the job, its InstancePool and its ledger.
 *
 * @param timeline samples in time order; drawn as steps from the first sample to {@code end}
 * @param timelineSource one sentence saying where the samples came from, shown under the charts
 * @param end the right edge of the charts: the job's completion time, or when the report was made
 * @param elapsed elapsed times of finished tasks from the ledger; null when the ledger has none
 * @param failures failed tasks with their reasons, as many as the ledger keeps
 * @param runnerUps the next-cheapest instance types that met the constraints, in rank order
 */
public record ReportData(String namespace, String name, String phase, long total, long succeeded, long failed,
    long retried, long duplicates, long deadLettered, Instant start, Instant end, String instanceType,
    boolean spot, Double pricePerHour, List<String> runnerUps, double costSoFar, List<TimelineSample> timeline,
    String timelineSource, ElapsedTimeStats elapsed, List<Failure> failures, List<ConditionLine> conditions) {

  public ReportData {
    runnerUps = List.copyOf(runnerUps);
    timeline = List.copyOf(timeline);
    failures = List.copyOf(failures);
    conditions = List.copyOf(conditions);
  }

  /** A failed task and why it failed (exit code, timeout, the tail of stderr). */
  public record Failure(String taskId, String reason) {}

  /** A status condition as {@code kubectl describe} shows it. */
  public record ConditionLine(String type, String status, String reason, String message) {}
}
