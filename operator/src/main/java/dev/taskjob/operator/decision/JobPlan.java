package dev.taskjob.operator.decision;

import dev.taskjob.operator.selection.CostRanking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a job will take before it runs: for each offering of a {@link CostRanking}, the instances
 * {@link PoolSizing} gives it, the makespan and the total cost, with a range. A pure function.
 *
 * <p>Makespan = boot + waves × h, where waves = ceil(tasks / (instances × slots)) and h is the expected
 * slot-hours per completed task (the task duration plus the work interruptions throw away). Cost = tasks ×
 * h × price per slot-hour, plus every instance's boot. The range runs from no interruption at all to
 * three times the assumed rate. A dollar budget below the cost is reported with the tasks it pays for.
 */
public final class JobPlan {

  /** Assumed time from a create to a worker taking tasks. */
  public static final Duration DEFAULT_BOOT = Duration.ofMinutes(3);
  /** The range's pessimistic end: this many times the assumed interruption rate. */
  public static final double RATE_SPREAD = 3;

  /**
   * @param ranking the offerings, best first
   * @param tasks tasks to run
   * @param caps the pool's count, vCPU and $/hour caps
   * @param maxCost the job's dollar budget, or null
   * @param boot time from a create to a worker taking tasks
   */
  public record Inputs(CostRanking.Ranking ranking, long tasks, PoolSizing.Budget caps, Double maxCost,
      Duration boot) {}

  /** One offering's plan; {@code tasksWithinBudget} is less than the tasks when the budget stops the job. */
  public record Estimate(CostRanking.Ranked offering, int instances, Duration makespan, Duration makespanLow,
      Duration makespanHigh, double cost, double costLow, double costHigh, long tasksWithinBudget) {}

  /** The chosen offering's estimate and the alternatives' (other types or markets), best first. */
  public record Plan(Estimate chosen, List<Estimate> alternatives) {}

  private JobPlan() {}

  public static Plan plan(Inputs in, int alternatives) {
    List<Estimate> all = new ArrayList<>();
    for (CostRanking.Ranked r : in.ranking().ranked()) {
      Estimate e = estimate(in, r);
      if (e != null && all.stream().noneMatch(o -> sameTypeAndMarket(o, r))) {
        all.add(e);
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("spec.instances: the caps allow no instance of any fitting type");
    }
    return new Plan(all.get(0), List.copyOf(all.subList(1, Math.min(all.size(), 1 + alternatives))));
  }

  private static Estimate estimate(Inputs in, CostRanking.Ranked r) {
    var c = r.candidate();
    int instances = PoolSizing.size(in.tasks(), c.slots(), c.type().vcpus(), c.pricePerHour(), in.caps()).instances();
    if (instances == 0 && in.tasks() > 0) {
      return null;
    }
    double taskHours = in.ranking().task().duration().toMillis() / 3_600_000.0;
    double relaunchHours = in.ranking().relaunch().toMillis() / 3_600_000.0;
    double h = r.hoursPerCompletedTask();
    double hLow = CostRanking.hoursPerCompletedTask(taskHours, 0, relaunchHours);
    double hHigh = CostRanking.hoursPerCompletedTask(taskHours, r.rate().perHour() * RATE_SPREAD, relaunchHours);
    double bootHours = in.boot().toMillis() / 3_600_000.0;
    long waves = instances == 0 ? 0 : (in.tasks() + (long) instances * c.slots() - 1) / ((long) instances * c.slots());
    double bootCost = instances * c.pricePerHour() * bootHours;
    double perTask = c.pricePerSlot();
    long withinBudget = in.tasks();
    if (in.maxCost() != null && bootCost + in.tasks() * h * perTask > in.maxCost()) {
      withinBudget = Math.max(0, (long) Math.floor((in.maxCost() - bootCost) / (h * perTask)));
    }
    return new Estimate(r, instances, hours(bootHours + waves * h), hours(bootHours + waves * hLow),
        hours(bootHours + waves * hHigh), bootCost + in.tasks() * h * perTask, bootCost + in.tasks() * hLow * perTask,
        bootCost + in.tasks() * hHigh * perTask, withinBudget);
  }

  private static boolean sameTypeAndMarket(Estimate e, CostRanking.Ranked r) {
    return e.offering().candidate().typeName().equals(r.candidate().typeName())
        && e.offering().candidate().spot() == r.candidate().spot();
  }

  private static Duration hours(double h) {
    return Duration.ofSeconds(Math.round(h * 3600));
  }
}
