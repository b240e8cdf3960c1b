package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A hedged copy's results: the first success wins, the other is a duplicate, a copy's failure counts nothing. */
class LedgerHedgeTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static TaskEvent event(EventType type, long index, String instance, boolean hedge, long at) {
    TaskEvent.Builder b = TaskEvent.builder(type).timestamp(T0.plusSeconds(at)).instanceId(instance)
        .taskId("t-" + index).taskIndex(index).attempt(1).hedge(hedge).elapsedTime(at);
    if (type != EventType.TASK_COMPLETED) {
      b.finalAttempt(!hedge).retry(false).exitCode(1);
    } else {
      b.finalAttempt(true).exitCode(0);
    }
    return b.build();
  }

  @Test
  void theCopyWinsAndTheOriginalIsADuplicate() {
    Ledger ledger = new Ledger(2);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-2", true, 60))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 600)))
        .isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(ledger.succeeded()).isEqualTo(1);
    assertThat(ledger.duplicates()).isEqualTo(1);
    assertThat(ledger.retried()).isZero();
    assertThat(ledger.elapsedTimes().count()).as("the task's time counted once").isEqualTo(1);
  }

  @Test
  void theOriginalWinsAndTheCopyIsADuplicate() {
    Ledger ledger = new Ledger(1);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 300))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-2", true, 320))).isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(ledger.succeeded()).isEqualTo(1);
    assertThat(ledger.duplicates()).isEqualTo(1);
  }

  @Test
  void aFailedCopyUsesNoAttemptAndLeavesTheTaskToItsOriginal() {
    Ledger ledger = new Ledger(1);
    assertThat(ledger.apply(event(EventType.TASK_FAILED, 0, "vm-2", true, 10))).isEqualTo(Ledger.Outcome.IGNORED);
    assertThat(ledger.apply(event(EventType.TASK_TIMED_OUT, 0, "vm-2", true, 20))).isEqualTo(Ledger.Outcome.IGNORED);
    assertThat(ledger.failed()).isZero();
    assertThat(ledger.retried()).isZero();
    assertThat(ledger.remaining()).isEqualTo(1);
    assertThat(ledger.apply(event(EventType.TASK_COMPLETED, 0, "vm-1", false, 700))).isEqualTo(Ledger.Outcome.SUCCEEDED);
    assertThat(ledger.duplicates()).isZero();
  }
}
