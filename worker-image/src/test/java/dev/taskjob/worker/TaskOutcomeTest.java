package dev.taskjob.worker;

import static dev.taskjob.worker.process.TaskRun.Kill.INTERRUPTED;
import static dev.taskjob.worker.process.TaskRun.Kill.MEMORY_LIMIT;
import static dev.taskjob.worker.process.TaskRun.Kill.NONE;
import static dev.taskjob.worker.process.TaskRun.Kill.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.event.EventType;
import dev.taskjob.worker.TaskOutcome.AttemptEnd;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskOutcomeTest {

  static Stream<Arguments> attempts() {
    return Stream.of(
        // name, how the attempt ended -> outcome, event
        Arguments.of("exit 0", new AttemptEnd(true, 0, NONE, false), TaskOutcome.SUCCEEDED, EventType.TASK_COMPLETED),
        Arguments.of("exit 0 while the worker stops", new AttemptEnd(true, 0, NONE, true), TaskOutcome.SUCCEEDED,
            EventType.TASK_COMPLETED),
        Arguments.of("exit 1", new AttemptEnd(true, 1, NONE, false), TaskOutcome.FAILED, EventType.TASK_FAILED),
        Arguments.of("exit 1 while the worker stops", new AttemptEnd(true, 1, NONE, true), TaskOutcome.FAILED,
            EventType.TASK_FAILED),
        Arguments.of("SIGTERM from elsewhere, worker running", new AttemptEnd(true, 143, NONE, false),
            TaskOutcome.FAILED, EventType.TASK_FAILED),
        Arguments.of("SIGSEGV while the worker stops", new AttemptEnd(true, 139, NONE, true), TaskOutcome.FAILED,
            EventType.TASK_FAILED),
        Arguments.of("SIGTERM with the machine", new AttemptEnd(true, 143, NONE, true), TaskOutcome.INTERRUPTED,
            EventType.TASK_RETRIED),
        Arguments.of("SIGKILL with the machine", new AttemptEnd(true, 137, NONE, true), TaskOutcome.INTERRUPTED,
            EventType.TASK_RETRIED),
        Arguments.of("SIGHUP with the machine", new AttemptEnd(true, 129, NONE, true), TaskOutcome.INTERRUPTED,
            EventType.TASK_RETRIED),
        Arguments.of("SIGINT with the machine", new AttemptEnd(true, 130, NONE, true), TaskOutcome.INTERRUPTED,
            EventType.TASK_RETRIED),
        Arguments.of("killed at the maximum runtime", new AttemptEnd(true, 143, TIMEOUT, false), TaskOutcome.TIMED_OUT,
            EventType.TASK_TIMED_OUT),
        Arguments.of("timed out, exited 0 on SIGTERM", new AttemptEnd(true, 0, TIMEOUT, false), TaskOutcome.TIMED_OUT,
            EventType.TASK_TIMED_OUT),
        Arguments.of("killed at the end of the shutdown grace", new AttemptEnd(true, 137, INTERRUPTED, true),
            TaskOutcome.INTERRUPTED, EventType.TASK_RETRIED),
        Arguments.of("killed over its memory limit", new AttemptEnd(true, 137, MEMORY_LIMIT, false),
            TaskOutcome.MEMORY_LIMIT, EventType.TASK_FAILED),
        Arguments.of("over its memory limit while the worker stops", new AttemptEnd(true, 137, MEMORY_LIMIT, true),
            TaskOutcome.MEMORY_LIMIT, EventType.TASK_FAILED),
        Arguments.of("could not be started", AttemptEnd.notStarted(), TaskOutcome.COULD_NOT_START,
            EventType.TASK_FAILED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attempts")
  void classifiesHowAnAttemptEnded(String name, AttemptEnd end, TaskOutcome outcome, EventType event) {
    assertThat(TaskOutcome.classify(end)).isEqualTo(outcome);
    assertThat(outcome.eventType()).isEqualTo(event);
  }
}
