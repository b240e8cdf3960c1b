package dev.taskjob.worker;

import dev.taskjob.core.event.EventType;
import dev.taskjob.worker.process.TaskRun;

/**
 * How one attempt of a task ended, decided from what the worker knows once it is over. The retry
 * policy then decides whether the task runs again; the outcome alone fixes the event type.
 */
public enum TaskOutcome {
  /** Exit code 0. */
  SUCCEEDED(EventType.TASK_COMPLETED),
  /** A non-zero exit code, or a signal the worker did not send. */
  FAILED(EventType.TASK_FAILED),
  /** Killed by the worker at the maximum runtime. */
  TIMED_OUT(EventType.TASK_TIMED_OUT),
  /** Stopped without a result because the worker or its machine is stopping: run again elsewhere. */
  INTERRUPTED(EventType.TASK_RETRIED),
  /** Killed by the worker because its processes used more memory than the per-task limit. */
  MEMORY_LIMIT(EventType.TASK_FAILED),
  /** The task's program could not be started with its data (NUL character, environment too large). */
  COULD_NOT_START(EventType.TASK_FAILED);

  private final EventType eventType;

  TaskOutcome(EventType eventType) {
    this.eventType = eventType;
  }

  /** The event that reports an attempt with this outcome. */
  public EventType eventType() {
    return eventType;
  }

  /**
   * What the worker knows when an attempt ends.
   *
   * @param started false when the program could not be started at all
   * @param exitCode the process's exit code (128 + signal when a signal ended it); ignored when not started
   * @param kill why the worker killed it, {@link TaskRun.Kill#NONE} when it did not
   * @param workerStoppedFromOutside the worker got a stop signal or a spot notice before deciding
   */
  public record AttemptEnd(boolean started, int exitCode, TaskRun.Kill kill, boolean workerStoppedFromOutside) {

    public static AttemptEnd notStarted() {
      return new AttemptEnd(false, -1, TaskRun.Kill.NONE, false);
    }
  }

  /** The outcome of an attempt. */
  public static TaskOutcome classify(AttemptEnd end) {
    if (!end.started()) {
      return COULD_NOT_START;
    }
    switch (end.kill()) {
      case INTERRUPTED:
        return INTERRUPTED;
      case TIMEOUT:
        return TIMED_OUT;
      case MEMORY_LIMIT:
        return MEMORY_LIMIT;
      case NONE:
      default:
        break;
    }
    // A VM that shuts down signals every process: a task that died of a stop signal after the worker
    // itself was told to stop went down with the machine, and its program decided nothing.
    if (end.workerStoppedFromOutside() && diedOfStopSignal(end.exitCode())) {
      return INTERRUPTED;
    }
    return end.exitCode() == 0 ? SUCCEEDED : FAILED;
  }

  /** SIGHUP, SIGINT, SIGKILL or SIGTERM, as the JDK reports a signal death (128 + signal). */
  public static boolean diedOfStopSignal(int exitCode) {
    return exitCode == 128 + 1 || exitCode == 128 + 2 || exitCode == 128 + 9 || exitCode == 128 + 15;
  }
}
