package dev.taskjob.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.DrainDecision;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Seed 123: the operator restarts after it received the job's last events and before it saved the ledger
 * and acked them, so those events stay hidden in the event queue for their redelivery time. A drain that
 * takes the quiet queue for the end finishes the job with those tasks "without a result" (a clean-clone run
 * of {@code RestartTest} showed the same on the local queue). The drain waits for the hidden events instead.
 */
class HiddenEventsSeedTest {

  private static final long SEED = 123L;

  /** The real decision told that no event can be hidden. */
  private static final Function<DrainDecision.Inputs, DrainDecision.Verdict> BLIND_TO_HIDDEN_EVENTS = in ->
      DrainDecision.decide(new DrainDecision.Inputs(in.loadingComplete(), in.allFinished(), in.waiting(), in.leased(),
          in.deadLettered(), in.emptySince(), in.deadLettersReadAt(), in.lastActivity(), in.loadedAt(), null,
          in.terminationDelay(), in.now()));

  @Test
  void theDrainWaitsForEventsAnEarlierProcessReadAndNeverAcked() {
    JobLifetime.Result blind = new JobLifetime(SEED, null, BLIND_TO_HIDDEN_EVENTS).run();
    assertThat(blind.restartPoint()).isEqualTo(JobLifetime.RestartPoint.AFTER_READING_EVENTS);
    assertThat(blind.violations()).as("the defect, with a drain blind to hidden events")
        .containsKey(Invariant.NO_TASK_LOST);

    JobLifetime.Result waiting = new JobLifetime(SEED).run();

    assertThat(waiting.restartPoint()).isEqualTo(JobLifetime.RestartPoint.AFTER_READING_EVENTS);
    assertThat(waiting.violations()).isEmpty();
  }
}
