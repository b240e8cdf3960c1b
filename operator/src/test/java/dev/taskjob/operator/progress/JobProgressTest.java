package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.ledger.Ledger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobProgressTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  static TaskEvent started(String vm, long index) {
    return TaskEvent.builder(EventType.TASK_STARTED).timestamp(T0).instanceId(vm).taskIndex(index).taskId("t" + index)
        .attempt(1).build();
  }

  static TaskEvent done(String vm, long index) {
    return TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(T0.plusMillis(index)).instanceId(vm)
        .taskIndex(index).taskId("t" + index).attempt(1).build();
  }

  @Test
  void tracksRunningTasksPerWorkerAndForgetsSilentOnes() {
    Heartbeats heartbeats = new Heartbeats();
    JobProgress progress = new JobProgress(new Ledger(10), heartbeats, Duration.ofMinutes(1));
    progress.apply(List.of(started("a", 0), started("a", 1), started("b", 2), done("a", 0)), T0);
    assertThat(progress.snapshot(T0).running()).isEqualTo(2);
    assertThat(progress.snapshot(T0).liveWorkers()).isEqualTo(2);
    progress.apply(List.of(TaskEvent.builder(EventType.WORKER_HEARTBEAT).instanceId("b").runningTasks(4).build()),
        T0.plusSeconds(50));
    // a went quiet 70 s ago: its task is no longer counted as running.
    JobProgress.Snapshot later = progress.snapshot(T0.plusSeconds(70));
    assertThat(later.running()).isEqualTo(4);
    assertThat(later.liveWorkers()).isEqualTo(1);
    assertThat(heartbeats.get("a").last()).isEqualTo(T0);
    assertThat(heartbeats.get("b").last()).isEqualTo(T0.plusSeconds(50));
    assertThat(heartbeats.get("b").first()).isEqualTo(T0);
    assertThat(later.lastActivity()).isEqualTo(T0.plusSeconds(50));
  }

  @Test
  void reportsThroughputAndEta() {
    JobProgress progress = new JobProgress(new Ledger(200), new Heartbeats(), Duration.ofMinutes(1));
    for (int second = 0; second < 100; second++) {
      progress.apply(List.of(done("a", second)), T0.plusSeconds(second));
    }
    JobProgress.Snapshot s = progress.snapshot(T0.plusSeconds(100));
    assertThat(s.tasksPerSecond()).isBetween(0.9, 1.1);
    assertThat(s.eta()).isBetween(Duration.ofSeconds(90), Duration.ofSeconds(112));
    assertThat(s.remaining()).isEqualTo(100);
  }

  @Test
  void etaIsUnknownBeforeAnyTaskFinishesAndZeroWhenDone() {
    JobProgress progress = new JobProgress(new Ledger(1), new Heartbeats(), Duration.ofMinutes(1));
    assertThat(progress.snapshot(T0).eta()).isNull();
    progress.apply(List.of(done("a", 0)), T0);
    assertThat(progress.snapshot(T0).eta()).isEqualTo(Duration.ZERO);
    assertThat(progress.snapshot(T0).allFinished()).isTrue();
  }

  @Test
  void statusListsABoundedNumberOfFailedIds() {
    JobProgress progress = new JobProgress(new Ledger(100), new Heartbeats(), Duration.ofMinutes(1));
    List<TaskEvent> failures = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      failures.add(TaskEvent.builder(EventType.TASK_FAILED).timestamp(T0).instanceId("a").taskIndex(i)
          .taskId("t" + i).finalAttempt(true).build());
    }
    progress.apply(failures, T0);
    assertThat(progress.snapshot(T0).failedTaskIds()).hasSize(JobProgress.STATUS_FAILED_IDS).startsWith("t0", "t1");
    assertThat(progress.failedTasks()).hasSize(100);
  }

  @Test
  void deadLetterCountsOnce() {
    JobProgress progress = new JobProgress(new Ledger(2), new Heartbeats(), Duration.ofMinutes(1));
    assertThat(progress.applyDeadLetter(1, "t1", 3, T0)).isTrue();
    assertThat(progress.applyDeadLetter(1, "t1", 3, T0)).isFalse();
    assertThat(progress.snapshot(T0).deadLettered()).isEqualTo(1);
    assertThat(progress.snapshot(T0).failed()).isEqualTo(1);
  }

  @Test
  void aWorkersStartUpErrorIsKeptUntilAWorkerStarts() {
    JobProgress progress = new JobProgress(new Ledger(1), new Heartbeats(), Duration.ofMinutes(1));
    progress.apply(List.of(TaskEvent.builder(EventType.WORKER_STOPPING).instanceId("vm-1")
        .message("spot interruption").build()), T0);
    assertThat(progress.startupError()).as("an ordinary stop is not a start-up error").isNull();

    progress.apply(List.of(TaskEvent.builder(EventType.WORKER_STOPPING).instanceId("vm-2")
        .message(TaskEvent.STARTUP_ERROR_PREFIX + "'/bin/nope' is not an executable file").build()), T0);

    assertThat(progress.startupError()).isEqualTo(
        new WorkerActivity.StartupError("vm-2", "'/bin/nope' is not an executable file", T0));
    progress.apply(List.of(TaskEvent.builder(EventType.WORKER_STARTED).instanceId("vm-3").build()), T0.plusSeconds(5));
    assertThat(progress.startupError()).isNull();
  }

  /** A hedged copy sent makes the ledger worth saving on its own, and the saved image names the task. */
  @Test
  void aHedgedCopyIsUnsavedUntilTheNextImageWhichCarriesIt() {
    JobProgress progress = new JobProgress(new Ledger(10), new Heartbeats(), Duration.ofMinutes(1));
    assertThat(progress.hasUnsavedHedges()).isFalse();
    progress.markHedged(List.of(3L, 7L));
    assertThat(progress.hasUnsavedHedges()).isTrue();

    JobProgress.LedgerImage image = progress.ledgerImage();

    assertThat(progress.hasUnsavedHedges()).isFalse();
    assertThat(dev.taskjob.operator.ledger.LedgerCodec.decode(image.binaryData()).hedgedIndexes()).containsExactly(3,
        7);
    assertThat(progress.hedged()).containsExactlyInAnyOrder(3L, 7L);
    progress.markHedged(List.of());
    assertThat(progress.hasUnsavedHedges()).isFalse();
  }
}
