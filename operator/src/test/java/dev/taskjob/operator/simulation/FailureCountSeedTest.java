package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Seed 20264718, the extra attempt the 100,000 lifetimes found: a GCE notice's 30 s ran out while the queue
 * kept refusing a worker's re-send of a failed task, so the failure count its message would have carried was
 * lost and the task ran once more than maxAttempts. The ledger's own count of each task's failures fails it.
 */
class FailureCountSeedTest {

  private static final long SEED = 20_264_718L;

  @Test
  void theLedgersCountKeepsTheTaskToMaxAttemptsWhereTheWorkersFlagsDidNot() {
    JobLifetime.Result flagsOnly = new JobLifetime(SEED).withLedgerWithoutFailureLimit().run();
    assertThat(flagsOnly.violations()).as("the defect, with the workers' final flags alone")
        .containsKey(Invariant.TASK_ENDS_AS_ITS_PROGRAM_DECIDED);

    JobLifetime.Result counted = new JobLifetime(SEED).run();

    assertThat(counted.violations()).isEmpty();
  }
}
