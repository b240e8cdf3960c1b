package dev.taskjob.operator.progress;

import dev.taskjob.core.stats.ElapsedTimeStats;
import dev.taskjob.crds.v1alpha1.taskjob.CostShares;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.ledger.LedgerCodec;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The summary's cost lines: cost per completed task with the tasks' own shares' percentiles (from the
 * ledger), and where the bill went (from the status), each part with its percent of the bill; then the task
 * size measured tasks suggest.
 */
final class CostLines {

  private CostLines() {}

  static void append(StringBuilder sb, TaskJobStatus s, Map<String, byte[]> ledger) {
    if (s.getCostPerCompletedTask() != null) {
      sb.append("  Cost per completed task: ").append(CostMeter.display(s.getCostPerCompletedTask()));
      ElapsedTimeStats own = taskCosts(ledger);
      if (own != null && own.count() > 0) {
        sb.append(String.format(Locale.ROOT, " (the task's own share: p50 %s, p90 %s, p99 %s)",
            CostMeter.display(own.median() / 1e6), CostMeter.display(own.percentile(90) / 1e6),
            CostMeter.display(own.percentile(99) / 1e6)));
      }
      sb.append(System.lineSeparator());
    }
    CostShares c = s.getCostShares();
    double billed = s.getCostSoFar() == null ? 0 : s.getCostSoFar();
    if (c != null && billed > 0) {
      sb.append("  Where the cost went: ").append(part("tasks", c.getTasks(), billed)).append(", ")
          .append(part("boot", c.getBoot(), billed)).append(", ").append(part("idle slots", c.getIdle(), billed))
          .append(", ").append(part("drain", c.getDrain(), billed)).append(", ")
          .append(part("interrupted", c.getInterrupted(), billed)).append(System.lineSeparator());
    }
    if (s.getRightSizing() != null) {
      sb.append("  Right-sizing: ").append(s.getRightSizing()).append(System.lineSeparator());
    }
  }

  private static String part(String name, Double usd, double billed) {
    double v = usd == null ? 0 : usd;
    return String.format(Locale.ROOT, "%s %s (%.0f%%)", name, CostMeter.display(v), 100 * v / billed);
  }

  private static ElapsedTimeStats taskCosts(Map<String, byte[]> ledger) {
    byte[] encoded = ledger.get(LedgerCodec.TASK_COST_KEY);
    if (encoded == null) {
      return null;
    }
    try {
      return LedgerCodec.decodeElapsed(encoded);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }
}
