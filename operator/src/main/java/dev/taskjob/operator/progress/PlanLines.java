package dev.taskjob.operator.progress;

import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.taskjob.PlanStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.util.Locale;
import java.util.Objects;

/**
 * A dry-run job's plan in the job summary ({@code taskjob local}, {@code taskjob status}), in the words
 * {@code taskjob plan} uses.
 */
public final class PlanLines {

  private PlanLines() {}

  /** Whether the job is a dry run the operator has priced at its current generation: nothing more will happen. */
  public static boolean planned(TaskJob job) {
    TaskJobStatus s = job.getStatus();
    return job.getSpec() != null && job.getSpec().dryRunOnly() && s != null && s.getPlan() != null
        && Objects.equals(s.getObservedGeneration(), job.getMetadata().getGeneration())
        && Conditions.isTrue(s.getConditions(), ConditionTypes.PLANNED);
  }

  static void append(StringBuilder sb, PlanStatus p) {
    String nl = System.lineSeparator();
    sb.append("  Dry run: nothing was created; set spec.dryRun to false to start the job").append(nl);
    sb.append(String.format(Locale.ROOT, "  Chosen:    %s%s, %d instances x %d slots at $%.4f/hour each%n",
        p.getInstanceType(), Boolean.TRUE.equals(p.getSpot()) ? " spot" : "", orZero(p.getInstances()),
        orZero(p.getSlotsPerInstance()), p.getPricePerHour() == null ? 0.0 : p.getPricePerHour()));
    sb.append("  Makespan:  ").append(p.getMakespan()).append(" (").append(p.getMakespanRange()).append(")").append(nl);
    sb.append(String.format(Locale.ROOT, "  Cost:      $%s ($%s to $%s), $%s per completed task%n", usd(p.getCost()),
        usd(p.getCostLow()), usd(p.getCostHigh()), usd(p.getCostPerCompletedTask())));
    if (p.getAlternatives() != null && !p.getAlternatives().isEmpty()) {
      sb.append("  Alternatives:").append(nl);
      p.getAlternatives().forEach(a -> sb.append("    ").append(a).append(nl));
    }
    sb.append("  Assumptions: ").append(p.getAssumptions()).append(nl);
  }

  private static String usd(Double v) {
    return v == null ? "?" : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros()
        .toPlainString();
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
