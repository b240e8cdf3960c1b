package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.operator.decision.JobPlan;
import dev.taskjob.operator.decision.PoolSizing;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.InterruptionHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link JobPlan}'s prediction for 10,000 tasks of a known duration against the simulated run of the same job
 * (seeds fixed): makespan and bill within 10%. The figures go to stderr and target/plan-results.md.
 */
class PlanAgainstSimulationTest {

  private static final int TASKS = 10_000;
  private static final Duration TASK = Duration.ofMinutes(10);
  private static final double RATE = 0.05;
  private static final int MAX_INSTANCES = 20;
  private static final SpotChoiceRun.Offer OFFER = new SpotChoiceRun.Offer("sim.2x", 2, 0.10, RATE);

  @Test
  void predictsMakespanAndCostOfA10000TaskJobWithinTenPercent() throws IOException {
    InstanceType type = new InstanceType(OFFER.name(), 2, 8, Architecture.X86_64, 0, 0, null, false, true,
        List.of(SpotChoiceRun.ZONE), 0.30, Map.of(SpotChoiceRun.ZONE, OFFER.spotPricePerHour()), PriceSource.SNAPSHOT);
    InstanceConstraints spot = InstanceConstraints.builder().spot(true).build();
    InstanceCatalog catalog = new InstanceCatalog("simulated", "sim-1", List.of(type), Instant.EPOCH, SimulatedCloud.DISK);
    CostRanking.Ranking ranking = CostRanking.rank(InstanceSelector.select(catalog, spot), spot, new CostRanking.Inputs(
        CostRanking.TaskDuration.of(null, 0, TASK), CostRanking.DEFAULT_RELAUNCH, new InterruptionHistory(), RATE,
        Instant.EPOCH));
    JobPlan.Estimate plan = JobPlan.plan(new JobPlan.Inputs(ranking, TASKS,
        new PoolSizing.Budget(0, MAX_INSTANCES, null, null), null, JobPlan.DEFAULT_BOOT), 0).chosen();

    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%,d tasks of %s, %s at $%.3f/h interrupted"
        + " %.0f%%/h, at most %d VMs: plan %s, $%.2f (%s to %s, $%.2f to $%.2f)%n%n| seed | simulated makespan |"
        + " error | simulated bill | error |%n| --- | --- | --- | --- | --- |%n", TASKS, TASK.toMinutes() + " min",
        OFFER.name(), OFFER.spotPricePerHour(), RATE * 100, MAX_INSTANCES, fmt(plan.makespan()), plan.cost(),
        fmt(plan.makespanLow()), fmt(plan.makespanHigh()), plan.costLow(), plan.costHigh()));
    double worst = 0;
    for (long seed = 18_500; seed < 18_503; seed++) {
      SpotChoiceRun.Result run = new SpotChoiceRun(seed, SpotChoiceRun.Chooser.EXPECTED_COST, List.of(OFFER), TASK,
          TASKS, MAX_INSTANCES).run();
      assertThat(run.completed()).isEqualTo(TASKS);
      double makespanError = plan.makespan().toSeconds() / (double) run.makespan().toSeconds() - 1;
      double costError = plan.cost() / run.bill() - 1;
      worst = Math.max(worst, Math.max(Math.abs(makespanError), Math.abs(costError)));
      table.append(String.format(Locale.ROOT, "| %d | %s | %+.1f%% | $%.2f | %+.1f%% |%n", seed, fmt(run.makespan()),
          makespanError * 100, run.bill(), costError * 100));
    }
    System.err.print(table);
    Path out = Path.of("target", "plan-results.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table);
    assertThat(worst).as(table.toString()).isLessThanOrEqualTo(0.10);
  }

  private static String fmt(Duration d) {
    return String.format(Locale.ROOT, "%.2f h", d.toSeconds() / 3600.0);
  }
}
