package dev.taskjob.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.testing.FaultInjectingQueue;
import dev.taskjob.worker.RetryPolicy;
import dev.taskjob.worker.TaskOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The attempt number a queue task runs with, on the directory queue: interruptions (released
 * deliveries) leave it alone, only a retried failure or timeout raises it.
 */
class QueueTaskSourceTest {

  private static final int JOB_DELIVERIES = QueueSettings.deliveriesFor(QueueSettings.DEFAULT_MAX_INTERRUPTIONS);
  private static final Task TASK = TaskGenerator.ofCount(1).task(0);

  @TempDir Path dir;

  private QueueTaskSource open(int deliveries) {
    TaskQueue queue = Providers.get("local").queue(
        new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.toString())),
        new QueueSettings("tj-source-test", Duration.ofMinutes(5), deliveries));
    queue.ensure();
    return new QueueTaskSource(queue, "test queue");
  }

  private static SourcedTask takeOne(QueueTaskSource source) {
    List<SourcedTask> got = source.take(1, Duration.ZERO);
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  @ParameterizedTest(name = "{0} failed attempts, {1} interruptions: attempt {2}; with maxAttempts 2 a failure retries: {3}")
  @CsvSource({
      "0, 0, 1, true",
      "0, 3, 1, true",
      "0, 10, 1, true",
      "1, 0, 2, false",
      "1, 7, 2, false",
  })
  void interruptionsLeaveTheAttemptNumberAlone(int failedAttempts, int interruptions, int attempt, boolean retries) {
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      source.queue().send(List.of(TASK.withFailedAttempts(failedAttempts)));
      for (int i = 0; i < interruptions; i++) {
        source.queue().release(takeOne(source).lease());
      }

      SourcedTask task = takeOne(source);

      assertThat(task.lease().deliveryAttempt()).isEqualTo(interruptions + 1);
      assertThat(task.attempt()).isEqualTo(attempt);
      RetryPolicy twoAttempts = new RetryPolicy(true, true, 2, Set.of());
      assertThat(twoAttempts.decide(TaskOutcome.FAILED, 1, task.attempt()).retry()).isEqualTo(retries);
    }
  }

  @ParameterizedTest(name = "delivery {0} of {1} allowed: last {2}")
  @CsvSource({"1, 1, true", "1, 2, false", "2, 2, true", "10, 11, false", "11, 11, true"})
  void theLastAllowedDeliveryIsTheOneAReleaseWouldDeadLetter(int delivery, int allowed, boolean last) {
    assertThat(QueueTaskSource.isLastDelivery(delivery, allowed)).isEqualTo(last);
  }

  @ParameterizedTest(name = "{0} deliveries allowed, handed back on delivery {1}: next delivery {2}")
  @CsvSource({
      "1, 1, 1",    // a release would dead-letter it: sent again as a new message instead
      "3, 2, 3",    // room left: released, the delivery counts
      "3, 3, 1",
  })
  void aTaskHandedBackUnstartedNeverGoesToTheDeadLetterQueue(int deliveries, int handedBackOn, int nextDelivery) {
    try (QueueTaskSource source = open(deliveries)) {
      source.queue().send(List.of(TASK.withFailedAttempts(1)));
      for (int i = 1; i < handedBackOn; i++) {
        source.queue().release(takeOne(source).lease());
      }
      SourcedTask held = takeOne(source);
      assertThat(held.lease().deliveryAttempt()).isEqualTo(handedBackOn);
      source.handBack(held);
    } // close waits for the send and the ack, or the release
    try (QueueTaskSource source = open(deliveries)) {
      SourcedTask again = takeOne(source);
      assertThat(again.task().id()).isEqualTo(TASK.id());
      assertThat(again.lease().deliveryAttempt()).isEqualTo(nextDelivery);
      assertThat(again.attempt()).as("its failed attempts kept").isEqualTo(2);
      assertThat(source.queue().depth().deadLettered()).isZero();
      assertThat(source.take(1, Duration.ZERO)).as("one copy").isEmpty();
    }
  }

  @Test
  void aRetriedFailureIsSentAgainCountedAndKeepsItsCountThroughInterruptions() {
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      source.queue().send(List.of(TASK));
      source.retry(takeOne(source), Duration.ZERO);
    } // close waits for the send and the ack
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      SourcedTask second = takeOne(source);
      source.queue().release(second.lease()); // interrupted during attempt 2
      SourcedTask again = takeOne(source);

      assertThat(second.attempt()).isEqualTo(2);
      assertThat(again.attempt()).as("still attempt 2 after an interruption").isEqualTo(2);
      assertThat(again.task().id()).isEqualTo(TASK.id());
      assertThat(again.task().failedAttempts()).isEqualTo(1);
      assertThat(source.take(1, Duration.ZERO)).as("the failed delivery was acknowledged").isEmpty();
    }
  }

  @Test
  void theQueueDeadLettersAnAttemptInterruptedMoreThanItsAllowance() {
    int allowance = 2;
    try (QueueTaskSource source = open(QueueSettings.deliveriesFor(allowance))) {
      source.queue().send(List.of(TASK));
      for (int i = 0; i <= allowance; i++) {
        source.queue().release(takeOne(source).lease());
      }

      assertThat(source.take(1, Duration.ZERO)).isEmpty();
      assertThat(source.queue().receiveDeadLetters(1, Duration.ZERO)).singleElement()
          .satisfies(dead -> assertThat(dead.deliveryAttempt()).isGreaterThan(allowance));
    }
  }

  @Test
  void aRetryStillWaitingForItsDelayWhenTheWorkerStopsIsSentNotLost() {
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      source.queue().send(List.of(TASK));
      source.retry(takeOne(source), Duration.ofHours(1));

      assertThat(source.pendingRetries()).isEqualTo(1);
      assertThat(source.take(1, Duration.ZERO)).as("held, not redelivered, during the delay").isEmpty();
    } // close sends waiting retries at once
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      SourcedTask next = takeOne(source);

      assertThat(next.task().id()).isEqualTo(TASK.id());
      assertThat(next.attempt()).isEqualTo(2);
      assertThat(source.pendingRetries()).isZero();
    }
  }

  @Test
  void aFailureWhoseResendTheQueueRefusesIsStillCounted() {
    TaskQueue local;
    try (QueueTaskSource plain = open(JOB_DELIVERIES)) {
      plain.queue().send(List.of(TASK));
    }
    local = Providers.get("local").queue(
        new ProviderConfig("local", null, null, Map.of(ProviderConfig.Keys.LOCAL_ROOT, dir.toString())),
        new QueueSettings("tj-source-test", Duration.ofMinutes(5), JOB_DELIVERIES));
    // the directory queue, refusing its first three sends as a throttled queue service does
    FaultInjectingQueue refusing = new FaultInjectingQueue(local,
        call -> call <= 3 ? new QueueException("Rate exceeded", true) : null);
    try (QueueTaskSource source = new QueueTaskSource(refusing, "test queue", 0)) {
      source.retry(takeOne(source), Duration.ZERO);
    } // close waits for the re-sends and the ack

    assertThat(refusing.sendCalls()).as("three refused, the fourth sent").isEqualTo(4);
    try (QueueTaskSource source = open(JOB_DELIVERIES)) {
      SourcedTask next = takeOne(source);
      assertThat(next.attempt()).as("the refused re-send's failure is counted").isEqualTo(2);
      assertThat(next.lease().deliveryAttempt()).as("the failed delivery was not released but acked").isEqualTo(1);
      assertThat(source.take(1, Duration.ZERO)).isEmpty();
    }
  }
}
