package dev.taskjob.operator.ledger;

import static dev.taskjob.operator.ledger.LedgerTest.event;
import static dev.taskjob.operator.ledger.LedgerTest.failed;
import static dev.taskjob.operator.ledger.LedgerTest.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each task's own failures, counted by the ledger: a task whose count reaches maxAttempts is failed even when
 * the count its queue message carried was lost (the worker's re-send never went through, so the task ran again
 * under the same attempt number).
 */
class LedgerFailureCountTest {

  private static TaskEvent failedOn(String instance, long index, int attempt, boolean isFinal) {
    return event(EventType.TASK_FAILED, index, attempt, instance, isFinal);
  }

  @Test
  void aTaskIsFailedWhenItsCountedFailuresReachMaxAttemptsThoughNoWorkerMarkedItFinal() {
    Ledger ledger = new Ledger(1, 2);
    List<TaskResult> finals = new ArrayList<>();
    assertThat(ledger.apply(failedOn("vm-1", 0, 1, false), finals)).isEqualTo(Ledger.Outcome.RETRIED);
    // vm-1 died before its re-send went through: the old message ran again, again as attempt 1.
    assertThat(ledger.apply(failedOn("vm-2", 0, 1, false), finals)).isEqualTo(Ledger.Outcome.FAILED);

    assertThat(ledger.isFailed(0)).isTrue();
    assertThat(ledger.failureCount(0)).as("a final task keeps no count").isZero();
    String why = " (failure 2 of maxAttempts 2, counted by the ledger)";
    assertThat(ledger.failedTasks()).containsExactly(
        new Ledger.FailedTask(0, "t-0", "failed with exit code 3 on attempt 1: boom line two" + why));
    assertThat(finals).singleElement().satisfies(result -> {
      assertThat(result.status()).isEqualTo(TaskResult.FAILED);
      assertThat(result.reason()).isEqualTo("failed with exit code 3 on attempt 1: boom\nline two" + why);
    });
  }

  @Test
  void aLaterResultOfAnExtraRunIsADuplicateAndChangesNothing() {
    Ledger ledger = new Ledger(1, 2);
    ledger.apply(failedOn("vm-1", 0, 1, false));
    ledger.apply(failedOn("vm-2", 0, 1, false));
    // The worker re-sent the task with attempt 2: that extra run's results do not change the verdict.
    assertThat(ledger.apply(LedgerTest.completed(0, "vm-3"))).isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(ledger.apply(failedOn("vm-3", 0, 2, false))).isEqualTo(Ledger.Outcome.DUPLICATE);
    assertThat(List.of(ledger.failed(), ledger.succeeded(), ledger.duplicates(), ledger.retried()))
        .containsExactly(1L, 0L, 2L, 1L);
  }

  @Test
  void theCountSurvivesACodecRoundTrip() {
    Ledger ledger = new Ledger(5, 3);
    ledger.apply(failed(1, 1, false));
    ledger.apply(failed(1, 2, false));
    ledger.apply(failed(4, 1, false));
    ledger.apply(LedgerTest.completed(2, "vm-1"));

    Ledger restored = roundTrip(ledger);

    assertThat(restored.maxAttempts()).isEqualTo(3);
    assertThat(new int[] {restored.failureCount(0), restored.failureCount(1), restored.failureCount(2),
        restored.failureCount(3), restored.failureCount(4)}).containsExactly(0, 2, 0, 0, 1);
    // Task 1's third failure after the operator restarted: final by the restored count.
    assertThat(restored.apply(failedOn("vm-7", 1, 2, false))).isEqualTo(Ledger.Outcome.FAILED);
  }

  @Test
  void aFailureDeliveredTwiceIsCountedOnceAlsoAfterARestart() {
    Ledger ledger = new Ledger(1, 2);
    TaskEvent failure = failedOn("vm-1", 0, 1, false);
    assertThat(ledger.apply(failure)).isEqualTo(Ledger.Outcome.RETRIED);
    assertThat(ledger.apply(failure)).isEqualTo(Ledger.Outcome.REPLAYED);
    // Saved, then the operator died before acknowledging the event: the queue delivers it again.
    Ledger restored = roundTrip(ledger);
    assertThat(restored.apply(failure)).isEqualTo(Ledger.Outcome.REPLAYED);
    assertThat(restored.failureCount(0)).isEqualTo(1);
    assertThat(restored.isFinished(0)).isFalse();
  }

  @Test
  void anInterruptionIsNoFailure() {
    Ledger ledger = new Ledger(2, 2);
    for (int i = 0; i < 3; i++) {
      assertThat(ledger.apply(event(EventType.TASK_RETRIED, 0, 1, "vm-" + i, null))).isEqualTo(Ledger.Outcome.IGNORED);
    }
    assertThat(ledger.failureCount(0)).isZero();
    // Dead-lettered after its interruption allowance: failed, with no failure counted towards it.
    assertThat(ledger.applyDeadLetter(1, "t-1", 4)).isEqualTo(Ledger.Outcome.FAILED);
    assertThat(ledger.failureCount(1)).isZero();
    assertThat(ledger.apply(failedOn("vm-2", 0, 1, false))).isEqualTo(Ledger.Outcome.RETRIED);
    assertThat(ledger.failureCount(0)).isEqualTo(1);
  }

  @Test
  void aHedgedCopysFailureIsNotCounted() {
    Ledger ledger = new Ledger(1, 1);
    TaskEvent copyFailed = TaskEvent.builder(EventType.TASK_FAILED).timestamp(Instant.EPOCH).instanceId("vm-2")
        .taskId("t-0").taskIndex(0).attempt(1).finalAttempt(false).retry(true).exitCode(1).hedge(true).build();
    assertThat(ledger.apply(copyFailed)).isEqualTo(Ledger.Outcome.IGNORED);
    assertThat(ledger.isFinished(0)).isFalse();
  }

  @Test
  void aLedgerSavedBeforeFailuresWereCountedReadsWithoutALimit() {
    Ledger ledger = new Ledger(2, 3);
    ledger.apply(failed(0, 1, false));
    Map<String, byte[]> binary = new HashMap<>(LedgerCodec.encodeBinary(ledger));
    binary.remove(LedgerCodec.FAILURE_COUNTS_KEY);

    Ledger old = LedgerCodec.decode(binary);

    assertThat(old.maxAttempts()).isEqualTo(FailureCount.NO_LIMIT);
    assertThat(old.failureCount(0)).isZero();
    assertThat(old.apply(failed(0, 2, false))).as("the worker's flag alone decides").isEqualTo(Ledger.Outcome.RETRIED);
  }

  @Test
  void countsOfAMillionTasksInARandomPatternStaySmall() {
    // Half the tasks of a million with one or two failures each, at random: the counts' worst pattern.
    int total = 1_000_000;
    Ledger ledger = new Ledger(total, 3);
    Random random = new Random(42);
    for (int i = 0; i < total; i++) {
      if (random.nextBoolean()) {
        ledger.setFailureCount(i, 1 + random.nextInt(2));
      }
    }
    int bytes = LedgerCodec.encodeBinary(ledger).get(LedgerCodec.FAILURE_COUNTS_KEY).length;
    assertThat(bytes).isLessThan(256 * 1024);
    Ledger restored = roundTrip(ledger);
    for (int i = 0; i < total; i += 997) {
      assertThat(restored.failureCount(i)).as("task %d", i).isEqualTo(ledger.failureCount(i));
    }
  }

  @Test
  void aMillionTasksInTheWorstPatternWithCountsStayUnderTheConfigMapLimit() {
    // Random finished and failed bits, a full failed-task list, and counts on half the unfinished tasks.
    int total = 1_000_000;
    Random random = new Random(7);
    BitSet finished = new BitSet();
    BitSet failed = new BitSet();
    List<Ledger.FailedTask> failedTasks = new ArrayList<>();
    int listed = 0;
    for (int i = 0; i < total; i++) {
      if (random.nextBoolean()) {
        finished.set(i);
        if (random.nextBoolean()) {
          failed.set(i);
          if (listed < Ledger.MAX_FAILED_RECORD_BYTES - 64) {
            Ledger.FailedTask t = new Ledger.FailedTask(i, Long.toHexString(random.nextLong()),
                Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()));
            failedTasks.add(t);
            listed += t.sizeInBytes();
          }
        }
      }
    }
    Ledger ledger = new Ledger(total, 3, finished, failed, 0, 0, 0, 0, failedTasks, true, Set.of());
    for (int i = finished.nextClearBit(0); i < total; i = finished.nextClearBit(i + 1)) {
      if (random.nextBoolean()) {
        ledger.setFailureCount(i, 1 + random.nextInt(2));
      }
    }

    assertThat(LedgerTest.configMapBytes(ledger)).isLessThan(1024 * 1024);
    Ledger restored = roundTrip(ledger);
    for (int i = 0; i < total; i += 997) {
      assertThat(restored.failureCount(i)).as("task %d", i).isEqualTo(ledger.failureCount(i));
    }
  }
}
