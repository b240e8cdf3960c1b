package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.operator.decision.CostBreakdown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The split of a job's bill over a seed set (random slots, pool caps, boot delays, task durations, idle
 * delays and spot interruption rates in two zones at different prices): what the operator observes (the
 * workers' events and the cloud's VM list) splits the simulated cloud's bill into the tasks' share, boot,
 * idle slots, drain and interrupted work; the split adds up to the bill within 1%, and the tasks' share
 * plus the interrupted work is the busy slot-time the simulation counted, within 1% of the bill. The
 * summary goes to stderr and target/cost-share-results.md.
 */
class CostShareScenarioTest {

  private static final long FIRST_SEED = 21_000L;
  private static final int SEEDS = 100;

  @Test
  void theSplitAddsUpToTheSimulatedBill() throws IOException {
    CostBreakdown.Shares total = CostBreakdown.Shares.ZERO;
    double worstSum = 0;
    double worstObserved = 0;
    double worstBusy = 0;
    int finished = 0;
    int interrupted = 0;
    for (int i = 0; i < SEEDS; i++) {
      long seed = FIRST_SEED + i;
      CostShareRun.Result r = new CostShareRun(seed).run();
      CostBreakdown.Shares s = CostBreakdown.fitTo(r.shares(), r.poolBill());
      double sum = s.tasks() + s.boot() + s.idle() + s.drain() + s.interrupted();
      assertThat(r.poolBill()).as("seed %d: the pool's account is the cloud's bill", seed)
          .isCloseTo(r.cloudBill(), within(0.01 * r.cloudBill()));
      assertThat(r.shares().billed()).as("seed %d: the VMs observed are the VMs billed", seed)
          .isCloseTo(r.cloudBill(), within(0.01 * r.cloudBill()));
      assertThat(sum).as("seed %d: the shares add up to the bill", seed)
          .isCloseTo(r.cloudBill(), within(0.01 * r.cloudBill()));
      assertThat(s.tasks() + s.interrupted()).as("seed %d: %s; busy $%.6f", seed, s, r.busyUsd())
          .isCloseTo(r.busyUsd(), within(0.01 * r.cloudBill()));
      assertThat(List.of(s.tasks(), s.boot(), s.idle(), s.drain(), s.interrupted()))
          .as("seed %d", seed).allMatch(v -> v >= 0);
      worstObserved = Math.max(worstObserved, Math.abs(r.shares().billed() - r.cloudBill()) / r.cloudBill());
      worstSum = Math.max(worstSum, Math.abs(sum - r.cloudBill()) / r.cloudBill());
      worstBusy = Math.max(worstBusy, Math.abs(s.tasks() + s.interrupted() - r.busyUsd()) / r.cloudBill());
      total = total.plus(s);
      finished += r.completed() == r.tasks() ? 1 : 0;
      interrupted += r.interruptions() > 0 ? 1 : 0;
    }
    assertThat(total.interrupted()).as("interrupted work is seen where VMs were interrupted").isPositive();
    assertThat(total.boot()).isPositive();
    assertThat(total.drain()).isPositive();
    String summary = String.format(Locale.ROOT, "%d jobs (seeds %d-%d, %d with spot interruptions, %d finished):"
            + " largest gap (of the bill) between the shares' sum and the cloud's bill %.2e; between the bill of the"
            + " VMs the split observed and the cloud's bill %.2e; between the tasks' plus interrupted share and the"
            + " busy slot-time counted %.2e; of the $%.2f billed in all: tasks %.1f%%, boot %.1f%%, idle slots %.1f%%,"
            + " drain %.1f%%, interrupted %.1f%%%n",
        SEEDS, FIRST_SEED, FIRST_SEED + SEEDS - 1, interrupted, finished, worstSum, worstObserved, worstBusy,
        total.billed(), 100 * total.fraction(total.tasks()), 100 * total.fraction(total.boot()),
        100 * total.fraction(total.idle()), 100 * total.fraction(total.drain()),
        100 * total.fraction(total.interrupted()));
    System.err.print(summary);
    Path out = Path.of("target", "cost-share-results.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, summary);
  }
}
