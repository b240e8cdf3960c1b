package dev.taskjob.operator.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LedgerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static int clock;

  static TaskEvent completed(long index, String instance) {
    return event(EventType.TASK_COMPLETED, index, 1, instance, null);
  }

  static TaskEvent failed(long index, int attempt, Boolean isFinal) {
    return event(EventType.TASK_FAILED, index, attempt, "vm-1", isFinal);
  }

  static TaskEvent timedOut(long index, int attempt, Boolean isFinal) {
    return event(EventType.TASK_TIMED_OUT, index, attempt, "vm-1", isFinal);
  }

  static TaskEvent event(EventType type, long index, int attempt, String instance, Boolean isFinal) {
    TaskEvent.Builder b = TaskEvent.builder(type).timestamp(T0.plusMillis(clock++)).instanceId(instance)
        .taskId("t-" + index).taskIndex(index).attempt(attempt);
    if (isFinal != null) {
      b.finalAttempt(isFinal).retry(!isFinal);
    }
    if (type != EventType.TASK_COMPLETED) {
      b.exitCode(3).result("boom\nline two");
    }
    return b.build();
  }

  record Case(String name, long total, List<TaskEvent> events, long succeeded, long failed, long retried,
      long duplicates, long remaining) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    TaskEvent once = completed(0, "vm-1");
    return Stream.of(
        new Case("every task succeeds", 3, List.of(completed(0, "a"), completed(1, "a"), completed(2, "b")), 3, 0, 0, 0, 0),
        new Case("final failure counts as failed", 2, List.of(completed(0, "a"), failed(1, 3, true)), 1, 1, 0, 0, 0),
        new Case("non-final failures count as retries, not results", 1,
            List.of(failed(0, 1, false), timedOut(0, 2, false), completed(0, "b")), 1, 0, 2, 0, 0),
        new Case("timeout without retry is a final failure", 1, List.of(timedOut(0, 1, true)), 0, 1, 0, 0, 0),
        new Case("failure without final flag but retry=false is final", 1,
            List.of(TaskEvent.builder(EventType.TASK_FAILED).taskIndex(0).taskId("t-0").retry(false).build()),
            0, 1, 0, 0, 0),
        new Case("second result for a finished task is a duplicate", 2,
            List.of(completed(0, "a"), completed(0, "b")), 1, 0, 0, 1, 1),
        new Case("a failure after success is a duplicate and keeps the success", 1,
            List.of(completed(0, "a"), failed(0, 1, true)), 1, 0, 0, 1, 0),
        new Case("the same event delivered twice changes nothing", 1, List.of(once, once), 1, 0, 0, 0, 0),
        new Case("events outside the job are ignored", 1,
            List.of(completed(5, "a"), TaskEvent.builder(EventType.TASK_COMPLETED).taskId("x").build()), 0, 0, 0, 0, 1),
        new Case("worker and start events do not count", 1,
            List.of(TaskEvent.builder(EventType.WORKER_HEARTBEAT).build(), event(EventType.TASK_STARTED, 0, 1, "a", null)),
            0, 0, 0, 0, 1))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void countsEvents(Case c) {
    Ledger ledger = new Ledger(c.total());
    c.events().forEach(ledger::apply);
    assertThat(List.of(ledger.succeeded(), ledger.failed(), ledger.retried(), ledger.duplicates(), ledger.remaining()))
        .as(c.name())
        .containsExactly(c.succeeded(), c.failed(), c.retried(), c.duplicates(), c.remaining());
  }

  @Test
  void eventsRedeliveredAfterACrashBetweenSaveAndAckAreNotCountedAgain() {
    Ledger ledger = new Ledger(4);
    List<TaskEvent> batch = List.of(completed(0, "a"), failed(1, 1, false), completed(1, "a"));
    batch.forEach(ledger::apply);
    // Saved, then the operator died before acknowledging the batch: the queue delivers it again.
    Ledger restored = roundTrip(ledger);
    batch.forEach(e -> assertThat(restored.apply(e)).isEqualTo(Ledger.Outcome.REPLAYED));
    assertThat(restored.succeeded()).isEqualTo(2);
    assertThat(restored.retried()).isEqualTo(1);
    assertThat(restored.duplicates()).isZero();
    // A second execution of task 0 (a different event) is still a duplicate.
    assertThat(restored.apply(completed(0, "b"))).isEqualTo(Ledger.Outcome.DUPLICATE);
  }

  @Test
  void replayWindowIsForgottenTwoCheckpointsLater() {
    Ledger ledger = new Ledger(2);
    TaskEvent e = completed(0, "a");
    ledger.apply(e);
    ledger.checkpoint();
    assertThat(ledger.windowToSave()).hasSize(1);
    ledger.checkpoint();
    assertThat(ledger.windowToSave()).isEmpty();
  }

  @Test
  void deadLetteredTaskIsFailedOnceAndNotADuplicateOfItsOwnResult() {
    Ledger ledger = new Ledger(3);
    ledger.apply(completed(0, "a"));
    assertThat(ledger.applyDeadLetter(0, "t-0", 3)).isEqualTo(Ledger.Outcome.REPLAYED);
    assertThat(ledger.applyDeadLetter(1, "t-1", 3)).isEqualTo(Ledger.Outcome.FAILED);
    assertThat(ledger.applyDeadLetter(1, "t-1", 3)).isEqualTo(Ledger.Outcome.REPLAYED);
    assertThat(ledger.deadLettered()).isEqualTo(1);
    assertThat(ledger.failed()).isEqualTo(1);
    assertThat(ledger.duplicates()).isZero();
    assertThat(ledger.failedTasks()).extracting(Ledger.FailedTask::reason)
        .containsExactly("interrupted 2 times without a result (dead-lettered after 3 deliveries)");
    assertThat(ledger.unfinishedIndexes(10)).containsExactly(2);
  }

  @Test
  void failedTaskRecordsKeepIdAndOneLineReason() {
    Ledger ledger = new Ledger(1);
    ledger.apply(failed(0, 2, true));
    Ledger restored = roundTrip(ledger);
    assertThat(restored.failedTasks()).containsExactly(
        new Ledger.FailedTask(0, "t-0", "failed with exit code 3 on attempt 2: boom line two"));
    assertThat(restored.failedIndexes()).containsExactly(0);
  }

  @Test
  void millionFailuresKeepEveryIndexAndABoundedIdList() {
    int total = 1_000_000;
    Ledger ledger = new Ledger(total);
    for (int i = 0; i < total; i++) {
      ledger.apply(TaskEvent.builder(EventType.TASK_FAILED).taskIndex(i).taskId("task-" + i).attempt(3)
          .finalAttempt(true).exitCode(1).result("error " + (i * 7919L % 100_003)).build());
      if (ledger.windowSize() >= 5000) {
        ledger.checkpoint();
      }
    }
    assertThat(ledger.failed()).isEqualTo(total);
    assertThat(ledger.failedTasksTruncated()).isTrue();
    assertThat(ledger.failedTasks().size()).isBetween(1000, total - 1);
    assertThat(ledger.failedIndexes()).hasSize(total);
    assertThat(configMapBytes(ledger)).isLessThan(512 * 1024);
    Ledger restored = roundTrip(ledger);
    assertThat(restored.failed()).isEqualTo(total);
    assertThat(restored.failedTasks()).hasSameSizeAs(ledger.failedTasks());
  }

  @Test
  void millionTasksInTheWorstPatternStayWellUnderTheConfigMapLimit() {
    // Random finished and failed bits do not compress: the largest a ledger can get.
    int total = 1_000_000;
    Ledger ledger = new Ledger(total);
    Random random = new Random(42);
    for (int i = 0; i < total; i++) {
      if (random.nextBoolean()) {
        boolean fail = random.nextBoolean();
        ledger.apply(TaskEvent.builder(fail ? EventType.TASK_FAILED : EventType.TASK_COMPLETED)
            .timestamp(T0.plusNanos(i)).taskIndex(i).taskId(Long.toHexString(random.nextLong()))
            .finalAttempt(true).result(fail ? Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) : null)
            .build());
      }
      if (ledger.windowSize() >= 5000) {
        ledger.checkpoint();
      }
    }
    for (int i = 0; i < 5000; i++) {
      ledger.apply(completed(i, "late"));
    }
    int bytes = configMapBytes(ledger);
    assertThat(bytes).isLessThan(768 * 1024);
    Ledger restored = roundTrip(ledger);
    assertThat(List.of(restored.succeeded(), restored.failed(), restored.duplicates(), restored.remaining()))
        .containsExactly(ledger.succeeded(), ledger.failed(), ledger.duplicates(), ledger.remaining());
  }

  @Test
  void summaryIsReadable() {
    Ledger ledger = new Ledger(2);
    ledger.apply(completed(0, "a"));
    assertThat(LedgerCodec.summary(ledger)).contains("\"succeeded\" : 1").contains("\"remaining\" : 1");
  }

  /** Size of the ledger's ConfigMap payload as stored (binaryData is base64 in the object). */
  static int configMapBytes(Ledger ledger) {
    int size = LedgerCodec.summary(ledger).length();
    for (byte[] b : LedgerCodec.encodeBinary(ledger).values()) {
      size += Base64.getEncoder().encodeToString(b).length();
    }
    return size;
  }

  static Ledger roundTrip(Ledger ledger) {
    Map<String, byte[]> binary = LedgerCodec.encodeBinary(ledger);
    return LedgerCodec.decode(binary);
  }

  @Test
  void unfinishedIndexesListsTheGaps() {
    Ledger ledger = new Ledger(6);
    List<TaskEvent> events = new ArrayList<>();
    for (long i : new long[] {0, 2, 3, 5}) {
      events.add(completed(i, "a"));
    }
    events.forEach(ledger::apply);
    assertThat(ledger.unfinishedIndexes(10)).containsExactly(1, 4);
    assertThat(ledger.unfinishedIndexes(1)).containsExactly(1);
  }

  @Test
  void missingTasksAreNamedInIndexOrderFromTheTaskSourceAndKeptThroughASave() {
    Ledger ledger = new Ledger(5);
    ledger.apply(completed(1, "a"));
    ledger.apply(failed(3, 1, true));
    Map<Long, String> ids = Map.of(0L, "alpha", 1L, "beta", 2L, "gamma", 3L, "delta", 4L, "epsilon");

    ledger.nameMissing(ids);

    assertThat(ledger.missingTasks()).containsExactly(new Ledger.MissingTask(0, "alpha"),
        new Ledger.MissingTask(2, "gamma"), new Ledger.MissingTask(4, "epsilon"));
    assertThat(ledger.missingTasksTruncated()).isFalse();
    assertThat(roundTrip(ledger).missingTasks()).isEqualTo(ledger.missingTasks());
    assertThat(LedgerCodec.summary(ledger)).contains("\"missingTasksListed\" : 3");
  }

  @Test
  void aTaskWithAResultByNowOrWithoutAnIdIsNotNamedAndTheListSaysItIsShort() {
    Ledger ledger = new Ledger(3);
    ledger.nameMissing(Map.of(0L, "a", 1L, "b", 2L, "c"));
    ledger.apply(completed(0, "late"));
    ledger.nameMissing(Map.of(0L, "a", 2L, "c"));

    assertThat(ledger.missingTasks()).containsExactly(new Ledger.MissingTask(2, "c"));
    assertThat(ledger.missingTasksTruncated()).as("task 1 has no id given").isTrue();
    assertThat(new Ledger(2).missingTasks()).as("nothing named before the job finishes").isEmpty();
  }

  @Test
  void halfAMillionMissingTasksInTheWorstPatternStayUnderTheConfigMapLimit() {
    int total = 1_000_000;
    Ledger ledger = new Ledger(total);
    Random random = new Random(7);
    Map<Long, String> ids = new java.util.HashMap<>();
    for (int i = 0; i < total; i++) {
      String id = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
      ids.put((long) i, id);
      if (random.nextBoolean()) {
        boolean fail = random.nextBoolean();
        ledger.apply(TaskEvent.builder(fail ? EventType.TASK_FAILED : EventType.TASK_COMPLETED)
            .timestamp(T0.plusNanos(i)).taskIndex(i).taskId(id).finalAttempt(true)
            .result(fail ? Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) : null).build());
      }
      if (ledger.windowSize() >= 5000) {
        ledger.checkpoint();
      }
    }

    ledger.nameMissing(ids);

    assertThat(ledger.missingTasks()).hasSizeBetween(1000, (int) ledger.remaining() - 1);
    assertThat(ledger.missingTasksTruncated()).isTrue();
    assertThat(ledger.missingTasks().get(0).index()).isEqualTo(ledger.unfinishedIndexes(1)[0]);
    assertThat(configMapBytes(ledger)).isLessThan(1024 * 1024);
    assertThat(roundTrip(ledger).missingTasks()).hasSameSizeAs(ledger.missingTasks());
  }
}
