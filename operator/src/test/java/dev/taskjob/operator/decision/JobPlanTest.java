package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.operator.selection.CostRanking;
import dev.taskjob.operator.selection.InstanceConstraints;
import dev.taskjob.operator.selection.InstanceSelector;
import dev.taskjob.operator.selection.InterruptionHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobPlanTest {

  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
  private static final InstanceConstraints SPOT = InstanceConstraints.builder().spot(true).allowOnDemandFallback(true)
      .build();

  private static CostRanking.Ranking ranking(Duration task, double rate) {
    InstanceType a = new InstanceType("a.2x", 2, 8, Architecture.X86_64, 0, 0, null, false, true, List.of("z"), 0.30,
        Map.of("z", 0.10), PriceSource.SNAPSHOT);
    InstanceType b = new InstanceType("b.4x", 4, 16, Architecture.X86_64, 0, 0, null, false, true, List.of("z"), 0.60,
        Map.of("z", 0.24), PriceSource.SNAPSHOT);
    var selection = InstanceSelector.select(new InstanceCatalog("aws", "r", List.of(a, b), NOW), SPOT);
    return CostRanking.rank(selection, SPOT, new CostRanking.Inputs(CostRanking.TaskDuration.of(null, 0, task),
        Duration.ofMinutes(6), new InterruptionHistory(), rate, NOW));
  }

  private static final PoolSizing.Budget TEN = new PoolSizing.Budget(0, 10, null, null);

  @Test
  void withoutInterruptionsTheMakespanIsBootPlusWholeWavesAndTheCostTheWorkPlusBoots() {
    JobPlan.Plan plan = JobPlan.plan(new JobPlan.Inputs(ranking(Duration.ofMinutes(30), 0.0), 1000, TEN, null,
        Duration.ofMinutes(3)), 3);
    JobPlan.Estimate e = plan.chosen();
    assertThat(e.offering().offering()).isEqualTo("a.2x spot in z");
    assertThat(e.instances()).isEqualTo(10);
    // 1000 tasks / 20 slots = 50 waves of 30 minutes, after a 3-minute boot.
    assertThat(e.makespan()).isEqualTo(Duration.ofMinutes(3 + 50 * 30));
    assertThat(e.makespanHigh()).isEqualTo(e.makespan());
    // 500 slot-hours at $0.05, plus 10 boots of 3 minutes at $0.10/hour.
    assertThat(e.cost()).isCloseTo(25.0 + 0.05, offset(1e-9));
    assertThat(e.tasksWithinBudget()).isEqualTo(1000);
    assertThat(plan.alternatives()).extracting(a -> a.offering().offering())
        .containsExactly("b.4x spot in z", "b.4x on-demand", "a.2x on-demand");
  }

  @Test
  void interruptionsLengthenTheTaskAndTheRangeRunsToThreeTimesTheRate() {
    JobPlan.Estimate e = JobPlan.plan(new JobPlan.Inputs(ranking(Duration.ofHours(1), 0.1), 200, TEN, null,
        Duration.ZERO), 0).chosen();
    // h = 1 x (1 + 0.1 x (0.5 + 0.1)) = 1.06; high: 1 x (1 + 0.3 x 0.6) = 1.18; 10 waves.
    assertThat(e.makespan()).isEqualTo(Duration.ofSeconds(Math.round(10 * 1.06 * 3600)));
    assertThat(e.makespanLow()).isEqualTo(Duration.ofHours(10));
    assertThat(e.makespanHigh()).isEqualTo(Duration.ofSeconds(Math.round(10 * 1.18 * 3600)));
    assertThat(e.cost()).isCloseTo(200 * 1.06 * 0.05, offset(1e-9));
    assertThat(e.costLow()).isLessThan(e.cost());
    assertThat(e.costHigh()).isGreaterThan(e.cost());
  }

  @Test
  void aBudgetBelowTheCostSaysHowManyTasksItPaysFor() {
    JobPlan.Estimate e = JobPlan.plan(new JobPlan.Inputs(ranking(Duration.ofMinutes(30), 0.0), 1000, TEN, 10.0,
        Duration.ZERO), 0).chosen();
    // $10 at $0.025 per task.
    assertThat(e.tasksWithinBudget()).isEqualTo(400);
  }

  @Test
  void capsThatAllowNoInstanceAreRefusedNamingTheField() {
    assertThatThrownBy(() -> JobPlan.plan(new JobPlan.Inputs(ranking(Duration.ofMinutes(30), 0.0), 10,
        new PoolSizing.Budget(0, 10, null, 0.01), null, Duration.ZERO), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec.instances");
  }
}
