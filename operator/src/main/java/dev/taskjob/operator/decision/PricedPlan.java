package dev.taskjob.operator.decision;

import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.PlanStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InterruptionHistory;
import dev.taskjob.operator.selection.Selection;
import dev.taskjob.operator.validation.TaskJobValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A job priced before it runs, the same way for {@code taskjob plan} and {@code spec.dryRun}: the fitting
 * offerings ranked by {@link CostRanking} (no interruption history, so the same answer everywhere), then
 * {@link JobPlan} under the job's caps and dollar budget. A pure function of its inputs.
 */
public final class PricedPlan {

  /** The ranking the plan came from, the plan, and what it was asked for. */
  public record Priced(CostRanking.Ranking ranking, JobPlan.Plan plan, long tasks, Double maxCost) {

    /** One line per alternative: offering, instances, makespan, cost and cost per task. */
    public List<String> alternativeLines() {
      return plan.alternatives().stream().map(a -> String.format(Locale.ROOT, "%-40s %4d instances  %10s  %s (%s/task)",
          a.offering().offering(), a.instances(), Durations.format(a.makespan()), usd(a.cost()),
          usd(a.offering().costPerCompletedTask()))).toList();
    }

    /** What the plan assumes, in one line. */
    public String assumptions() {
      JobPlan.Estimate c = plan.chosen();
      return ranking.task().describe() + "; interruptions " + c.offering().rate().describe()
          + " (range: none to " + (int) JobPlan.RATE_SPREAD + "x); each loses half a task plus "
          + Durations.format(ranking.relaunch()) + "; " + Durations.format(JobPlan.DEFAULT_BOOT)
          + " from create to a worker taking tasks; no capacity errors; the pool sized by spec.instances";
    }

    /** The plan as status.plan holds it. */
    public PlanStatus toStatus() {
      JobPlan.Estimate c = plan.chosen();
      var offering = c.offering().candidate();
      PlanStatus s = new PlanStatus();
      s.setTasks(tasks);
      s.setInstanceType(offering.typeName());
      s.setSpot(offering.spot());
      s.setInstances(c.instances());
      s.setSlotsPerInstance(offering.slots());
      s.setPricePerHour(offering.pricePerHour());
      s.setMakespan(Durations.format(c.makespan()));
      s.setMakespanRange(Durations.format(c.makespanLow()) + " to " + Durations.format(c.makespanHigh()));
      s.setCost(CostMeter.forStatus(c.cost()));
      s.setCostLow(CostMeter.forStatus(c.costLow()));
      s.setCostHigh(CostMeter.forStatus(c.costHigh()));
      s.setCostPerCompletedTask(CostMeter.forStatus(c.offering().costPerCompletedTask()));
      s.setAlternatives(alternativeLines().stream().map(String::strip).limit(PlanStatus.MAX_ALTERNATIVES).toList());
      s.setAssumptions(assumptions());
      return s;
    }
  }

  private PricedPlan() {}

  /**
   * @param selection the types that fit the job's constraints
   * @param taskDuration how long one task runs, or null for the spec's estimate, else the default
   * @param alternatives how many alternatives to keep
   */
  public static Priced price(Selection selection, InstanceConstraints constraints, TaskJobSpec spec, long tasks,
      Duration taskDuration, int alternatives, Instant now) {
    Duration duration = taskDuration != null ? taskDuration : expectedTaskDuration(spec);
    return price(selection, constraints, spec, tasks, CostRanking.TaskDuration.of(null, 0, duration), alternatives,
        now);
  }

  /** As above, with the task duration given as measured ({@code spec.pilot}: the ledger's mean). */
  public static Priced price(Selection selection, InstanceConstraints constraints, TaskJobSpec spec, long tasks,
      CostRanking.TaskDuration task, int alternatives, Instant now) {
    Double hint = spec.getInstances() == null ? null : spec.getInstances().getInterruptionsPerHour();
    CostRanking.Ranking ranking = CostRanking.rank(selection, constraints, new CostRanking.Inputs(task,
        CostRanking.DEFAULT_RELAUNCH, new InterruptionHistory(), hint, now));
    Double maxCost = spec.getBudget() == null ? null : spec.getBudget().getMaxCost();
    JobPlan.Plan plan = JobPlan.plan(new JobPlan.Inputs(ranking, tasks, TaskJobValidator.budgetOf(spec.getInstances()),
        maxCost, JobPlan.DEFAULT_BOOT), alternatives);
    return new Priced(ranking, plan, tasks, maxCost);
  }

  /** {@code spec.worker.expectedTaskDuration}, or null when not given. */
  public static Duration expectedTaskDuration(TaskJobSpec spec) {
    String text = spec.getWorker() == null ? null : spec.getWorker().getExpectedTaskDuration();
    return text == null ? null : Durations.parse("spec.worker.expectedTaskDuration", text);
  }

  public static String usd(double v) {
    return String.format(Locale.ROOT, "$%.4f", v);
  }
}
