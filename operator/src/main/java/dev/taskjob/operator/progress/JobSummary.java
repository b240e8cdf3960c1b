package dev.taskjob.operator.progress;

import dev.taskjob.core.stats.ElapsedTimeStats;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A job's summary as text: what {@code taskjob local} prints at the end of a run and {@code taskjob status}
 * prints for a job in a cluster.
 */
public final class JobSummary {

  private JobSummary() {}

  /** The per-job summary, in the spirit of rms-cloud-tasks' monitor output. */
  public static String of(KubernetesClient client, TaskJob job) {
    TaskJobStatus s = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Summary of %s/%s: %s%n", job.getMetadata().getNamespace(),
        job.getMetadata().getName(), PlanLines.planned(job) ? "Planned (dry run)"
        : s.getPhase() == null ? "Pending" : s.getPhase().displayName()));
    s.getConditions().stream()
        .filter(c -> ("Failed".equals(c.getType()) && "True".equals(c.getStatus()))
            || ("Accepted".equals(c.getType()) && "False".equals(c.getStatus())))
        .filter(c -> c.getMessage() != null && !c.getMessage().isBlank())
        .forEach(c -> sb.append("  ").append(c.getType()).append(" (").append(c.getReason()).append("): ")
            .append(c.getMessage()).append(System.lineSeparator()));
    if (PlanLines.planned(job)) {
      sb.append(String.format(Locale.ROOT, "  Tasks: %d%n", orZero(s.getTotal())));
      PlanLines.append(sb, s.getPlan());
      return sb.toString();
    }
    long total = orZero(s.getTotal());
    sb.append(String.format(Locale.ROOT, "  Tasks: %d total, %d succeeded, %d failed, %d not finished%n", total,
        orZero(s.getSucceeded()), orZero(s.getFailed()),
        Math.max(0, total - orZero(s.getSucceeded()) - orZero(s.getFailed()))));
    sb.append(String.format(Locale.ROOT, "  Retried: %d, duplicates: %d, dead-lettered: %d%n", orZero(s.getRetried()),
        orZero(s.getDuplicates()), orZero(s.getDeadLettered())));
    Duration runTime = runTime(s);
    if (runTime != null && runTime.toMillis() > 0) {
      long done = orZero(s.getSucceeded()) + orZero(s.getFailed());
      double seconds = runTime.toMillis() / 1000.0;
      sb.append(String.format(Locale.ROOT, "  Tasks finished: %d in %.2f seconds (%.1f tasks/second)%n", done, seconds,
          done / seconds));
    }
    Map<String, byte[]> ledger = s.getLedgerConfigMap() == null ? Map.of() : LedgerStore.binaryData(
        client.configMaps().inNamespace(job.getMetadata().getNamespace()).withName(s.getLedgerConfigMap()).get());
    elapsedTimes(ledger).ifPresent(stats -> sb.append(stats.format("  ")));
    if (s.getInstanceType() != null) {
      sb.append(String.format(Locale.ROOT, "  Instance type: %s%s at $%.4f/hour each; cost so far %s%n",
          s.getInstanceType(), Boolean.TRUE.equals(s.getSpot()) ? " (spot)" : "",
          s.getPricePerHour() == null ? 0.0 : s.getPricePerHour(),
          CostMeter.display(s.getCostSoFar() == null ? 0.0 : s.getCostSoFar())));
    }
    CostLines.append(sb, s, ledger);
    appendFailedTasks(sb, ledger, s);
    appendMissingTasks(sb, s);
    return sb.toString();
  }

  /** The tasks a finished job has no result for, named in its status (the first ones) and its ledger (all). */
  static void appendMissingTasks(StringBuilder sb, TaskJobStatus s) {
    List<String> named = s.getMissingTaskIds() == null ? List.of() : s.getMissingTaskIds();
    if (named.isEmpty()) {
      return;
    }
    long missing = Math.max(named.size(), orZero(s.getTotal()) - orZero(s.getSucceeded()) - orZero(s.getFailed()));
    sb.append(String.format(Locale.ROOT, "  Tasks without a result (%d):%n", missing));
    named.stream().limit(FAILED_SHOWN).forEach(id -> sb.append("    ").append(id).append(System.lineSeparator()));
    long shown = Math.min(named.size(), FAILED_SHOWN);
    if (missing > shown) {
      sb.append(String.format(Locale.ROOT, "    ... and %d more: see %s in ConfigMap %s%n", missing - shown,
          LedgerCodec.MISSING_KEY, s.getLedgerConfigMap()));
    }
  }

  /** Failed tasks with their reasons from the ledger (first {@value #FAILED_SHOWN}), else the ids in status. */
  private static void appendFailedTasks(StringBuilder sb, Map<String, byte[]> ledger, TaskJobStatus s) {
    long failed = orZero(s.getFailed());
    if (failed == 0) {
      return;
    }
    List<String> lines = new ArrayList<>();
    if (ledger.containsKey(LedgerCodec.STATE_KEY)) {
      try {
        LedgerCodec.decode(ledger).failedTasks().stream().limit(FAILED_SHOWN)
            .forEach(t -> lines.add(t.id() + ": " + t.reason()));
      } catch (RuntimeException e) {
        lines.clear();
      }
    }
    if (lines.isEmpty() && s.getFailedTaskIds() != null) {
      s.getFailedTaskIds().stream().limit(FAILED_SHOWN).forEach(lines::add);
    }
    sb.append(String.format(Locale.ROOT, "  Failed tasks (%d):%n", failed));
    lines.forEach(line -> sb.append("    ").append(line).append(System.lineSeparator()));
    if (failed > lines.size()) {
      sb.append(String.format(Locale.ROOT, "    ... and %d more: see ConfigMap %s%n", failed - lines.size(),
          s.getLedgerConfigMap()));
    }
  }

  private static final int FAILED_SHOWN = 20;

  private static Duration runTime(TaskJobStatus s) {
    try {
      if (s.getStartTime() == null) {
        return null;
      }
      Instant end = s.getCompletionTime() == null ? Instant.now() : Instant.parse(s.getCompletionTime());
      return Duration.between(Instant.parse(s.getStartTime()), end);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Elapsed-time statistics from the job's ledger ConfigMap. */
  private static java.util.Optional<ElapsedTimeStats> elapsedTimes(Map<String, byte[]> ledger) {
    byte[] encoded = ledger.get(LedgerCodec.ELAPSED_KEY);
    if (encoded == null) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(LedgerCodec.decodeElapsed(encoded));
    } catch (IOException | IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
