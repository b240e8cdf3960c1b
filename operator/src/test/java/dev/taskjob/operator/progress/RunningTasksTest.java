package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.HedgeDecision.RunningTask;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Since when each unfinished task runs, as the hedge decision sees it. */
class RunningTasksTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static TaskEvent event(EventType type, long index, boolean hedge) {
    return TaskEvent.builder(type).instanceId("vm-1").taskId("t-" + index).taskIndex(index).attempt(1).hedge(hedge)
        .build();
  }

  @Test
  void aStartIsTimedByTheOperatorAndARedeliveryReplacesIt() {
    RunningTasks running = new RunningTasks();
    running.record(event(EventType.TASK_STARTED, 3, false), T0);
    running.record(event(EventType.TASK_RETRIED, 3, false), T0.plusSeconds(10));
    running.record(event(EventType.TASK_STARTED, 3, false), T0.plusSeconds(20));
    assertThat(running.unfinished(i -> false)).containsExactly(new RunningTask(3, T0.plusSeconds(20)));
  }

  @Test
  void aHedgedCopysStartDoesNotMakeTheTaskLookYoung() {
    RunningTasks running = new RunningTasks();
    running.record(event(EventType.TASK_STARTED, 1, false), T0);
    running.record(event(EventType.TASK_STARTED, 1, true), T0.plusSeconds(300));
    running.record(event(EventType.TASK_FAILED, 1, true), T0.plusSeconds(310));
    assertThat(running.unfinished(i -> false)).containsExactly(new RunningTask(1, T0));
  }

  @Test
  void aTaskWithAResultLeaves() {
    RunningTasks running = new RunningTasks();
    running.record(event(EventType.TASK_STARTED, 1, false), T0);
    running.record(event(EventType.TASK_STARTED, 2, false), T0);
    running.record(event(EventType.TASK_COMPLETED, 1, true), T0.plusSeconds(5));
    assertThat(running.unfinished(i -> i == 2)).as("finished by the ledger's account").isEmpty();
    assertThat(running.size()).isZero();
  }
}
