package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Jobs with a dollar budget over a seed set (random task durations, interruption rates, pool caps, grace
 * periods and budgets between a tenth and twice the work's cost): no job's bill exceeds its maxCost plus
 * one minute of its pool's burn; a job whose budget ran out resumes when it is raised (by $1), within the
 * raised bound. The summary goes to stderr and target/budget-results.md.
 */
class BudgetScenarioTest {

  private static final long FIRST_SEED = 18_100L;
  private static final int SEEDS = 300;
  private static final double RAISE = 1.0;

  @Test
  void noJobSpendsMoreThanItsBudgetPlusOneMinuteOfBurn() throws IOException {
    List<String> over = new ArrayList<>();
    int exhausted = 0;
    int finished = 0;
    int resumed = 0;
    int stillRunning = 0;
    double worstShare = 0;
    for (int i = 0; i < SEEDS; i++) {
      long seed = FIRST_SEED + i;
      BudgetRun.Result r = new BudgetRun(seed).run(0);
      if (r.bill() > r.bound() + 1e-9) {
        over.add(String.format(Locale.ROOT, "seed %d: billed $%.6f, maxCost $%.6f, burn $%.4f/h", seed, r.bill(),
            r.maxCost(), r.maxBurnPerHour()));
      }
      worstShare = Math.max(worstShare, r.bill() / r.maxCost());
      if (r.exhausted()) {
        exhausted++;
        BudgetRun.Result raised = new BudgetRun(seed).run(RAISE);
        assertThat(raised.bill()).as("seed %d after the raise", seed).isLessThanOrEqualTo(raised.bound() + 1e-9);
        if (raised.resumedCompleted() > 0) {
          resumed++;
        }
      }
      if (r.completed() == r.tasks()) {
        finished++;
      } else if (!r.exhausted()) {
        stillRunning++;
      }
    }
    String summary = String.format(Locale.ROOT, "%d budgeted jobs (seeds %d-%d): %d finished within budget, %d"
            + " stopped at it, %d still running within it at the 3-day horizon; highest bill / maxCost %.3f; over maxCost + 1 minute of burn: %d; of the stopped,"
            + " %d completed more tasks after maxCost was raised by $1%n", SEEDS, FIRST_SEED, FIRST_SEED + SEEDS - 1,
        finished, exhausted, stillRunning, worstShare, over.size(), resumed);
    System.err.print(summary);
    Path out = Path.of("target", "budget-results.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, summary);
    assertThat(over).isEmpty();
    assertThat(exhausted).as("some budgets ran out").isPositive();
    assertThat(finished).as("some jobs finished within budget").isPositive();
    assertThat(resumed).as("raising the budget resumes a stopped job").isEqualTo(exhausted);
  }
}
