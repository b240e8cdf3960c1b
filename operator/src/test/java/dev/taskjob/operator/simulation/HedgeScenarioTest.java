package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Hedging the tail over a fixed seed set: the same job (400 tasks of about a minute, 1% of runs ten times
 * longer, 25 VMs of 4 slots at most) with and without {@code spec.worker.speculative}. Over the set, hedging
 * cuts the total makespan by at least 30% and raises the total bill by at most 5%; every run finishes
 * every task, and each task's second result is counted as a duplicate. The summary goes to stderr and
 * target/hedge-results.md.
 */
class HedgeScenarioTest {

  private static final long FIRST_SEED = 21_000L;
  private static final int SEEDS = 30;

  @Test
  void hedgingCutsTheTailAtLittleExtraCost() throws IOException {
    Duration plainMakespan = Duration.ZERO;
    Duration hedgedMakespan = Duration.ZERO;
    double plainBill = 0;
    double hedgedBill = 0;
    long hedges = 0;
    long duplicates = 0;
    long slowOriginals = 0;
    int worseMakespans = 0;
    for (int i = 0; i < SEEDS; i++) {
      long seed = FIRST_SEED + i;
      HedgeRun.Result plain = new HedgeRun(seed, false).run();
      HedgeRun.Result hedged = new HedgeRun(seed, true).run();
      assertThat(plain.succeeded()).as("seed %d without hedging", seed).isEqualTo(HedgeRun.TASKS);
      assertThat(hedged.succeeded()).as("seed %d with hedging", seed).isEqualTo(HedgeRun.TASKS);
      assertThat(plain.duplicates()).as("seed %d: nothing runs twice without hedging", seed).isZero();
      assertThat(hedged.duplicates()).as("seed %d: only hedged tasks can run twice", seed)
          .isLessThanOrEqualTo(hedged.hedged());
      plainMakespan = plainMakespan.plus(plain.makespan());
      hedgedMakespan = hedgedMakespan.plus(hedged.makespan());
      plainBill += plain.bill();
      hedgedBill += hedged.bill();
      hedges += hedged.hedged();
      duplicates += hedged.duplicates();
      slowOriginals += plain.slowOriginals();
      if (hedged.makespan().compareTo(plain.makespan()) > 0) {
        worseMakespans++;
      }
    }
    double cut = 1 - (double) hedgedMakespan.toSeconds() / plainMakespan.toSeconds();
    double extraCost = hedgedBill / plainBill - 1;
    String summary = String.format(Locale.ROOT, "%d jobs (seeds %d-%d), %d tasks each, %.0f%% of runs %dx longer"
            + " (%d slow originals in all): mean makespan %.0f s without hedging, %.0f s with (cut %.1f%%); bill"
            + " $%.4f without, $%.4f with (%+.1f%%); %d copies sent, %d duplicates counted; %d jobs slower with"
            + " hedging%n", SEEDS, FIRST_SEED, FIRST_SEED + SEEDS - 1, HedgeRun.TASKS, HedgeRun.SLOW_RUNS * 100,
        HedgeRun.SLOWDOWN, slowOriginals, plainMakespan.toSeconds() / (double) SEEDS,
        hedgedMakespan.toSeconds() / (double) SEEDS, cut * 100, plainBill, hedgedBill, extraCost * 100, hedges,
        duplicates, worseMakespans);
    System.err.print(summary);
    Path out = Path.of("target", "hedge-results.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, summary);
    assertThat(cut).as("makespan cut").isGreaterThanOrEqualTo(0.30);
    assertThat(extraCost).as("extra cost").isLessThanOrEqualTo(0.05);
  }
}
