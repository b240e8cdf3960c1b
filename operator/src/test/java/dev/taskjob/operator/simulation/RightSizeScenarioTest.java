package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Auto-sizing over a fixed seed set: the same job (400 tasks of 9 to 11 minutes asking 8 GiB, using a quarter
 * of it) with and without {@code spec.worker.autoSize}. Over the set, auto-sizing cuts the bill by at least
 * 30%, every task succeeds and none would have been killed for memory. The summary goes to stderr and
 * target/rightsize-results.md.
 */
class RightSizeScenarioTest {

  private static final long FIRST_SEED = 18_000L;
  private static final int SEEDS = 10;

  @Test
  void autoSizingCutsTheBillOfATaskThatUsesAQuarterOfItsMemory() throws IOException {
    double plainBill = 0;
    double sizedBill = 0;
    long plainMinutes = 0;
    long sizedMinutes = 0;
    int killed = 0;
    int slotsBefore = 0;
    int slotsAfter = 0;
    for (int i = 0; i < SEEDS; i++) {
      long seed = FIRST_SEED + i;
      RightSizeRun.Result plain = new RightSizeRun(seed, false).run();
      RightSizeRun.Result sized = new RightSizeRun(seed, true).run();
      assertThat(plain.succeeded()).as("seed %d without auto-sizing", seed).isEqualTo(RightSizeRun.TASKS);
      assertThat(sized.succeeded()).as("seed %d with auto-sizing", seed).isEqualTo(RightSizeRun.TASKS);
      assertThat(plain.slotsAfter()).isEqualTo(plain.slotsBefore());
      plainBill += plain.bill();
      sizedBill += sized.bill();
      plainMinutes += plain.makespan().toMinutes();
      sizedMinutes += sized.makespan().toMinutes();
      killed += plain.killedForMemory() + sized.killedForMemory();
      slotsBefore = sized.slotsBefore();
      slotsAfter = sized.slotsAfter();
    }
    double cut = 1 - sizedBill / plainBill;
    String summary = String.format(Locale.ROOT, "%d jobs (seeds %d-%d), %d tasks each asking %.0f GiB and 1 vCPU,"
            + " peaking at 1.6-2 GiB: slots per VM %d -> %d after %d measured tasks; bill $%.2f without auto-sizing,"
            + " $%.2f with (cut %.1f%%); mean makespan %d min without, %d min with; %d tasks over their memory%n",
        SEEDS, FIRST_SEED, FIRST_SEED + SEEDS - 1, RightSizeRun.TASKS, RightSizeRun.ASKED_MEMORY_GIB, slotsBefore,
        slotsAfter, dev.taskjob.operator.decision.RightSizing.DEFAULT_MIN_MEASURED, plainBill, sizedBill, cut * 100,
        plainMinutes / SEEDS, sizedMinutes / SEEDS, killed);
    System.err.print(summary);
    Path out = Path.of("target", "rightsize-results.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, summary);
    assertThat(killed).as("tasks over their memory").isZero();
    assertThat(cut).as("bill cut").isGreaterThanOrEqualTo(0.30);
  }
}
