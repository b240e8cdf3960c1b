package dev.taskjob.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * The supervisor's resolved settings (after flags, environment and defaults are applied).
 *
 * @param slots how many tasks run at once
 * @param maxRuntime an attempt is killed after this long; null for no limit
 * @param shutdownGracePeriod how long running tasks may finish after a stop request
 * @param retry the retry policy
 * @param heartbeatInterval time between worker_heartbeat events; null or zero for none
 * @param exitWhenEmpty queue mode: stop once nothing was received or running for this long; null to keep polling
 * @param maxTasks stop taking tasks after this many ({@code Long.MAX_VALUE} for no limit)
 * @param keepTaskDirs which task directories stay after the task's final result
 * @param job the TaskJob ({@code namespace/name}) or local job id, for events; may be null
 * @param instanceId this VM's id, for events; may be null
 * @param hostname for events
 * @param receiveWait queue long-poll wait
 * @param resultTailBytes how much of stdout/stderr goes into events
 * @param killGracePeriod between the SIGTERM and the SIGKILL of a task the worker stops (timeout, shutdown)
 * @param maxMemoryPerTaskBytes a task whose processes hold more resident memory is killed; null for no limit
 * @param noticeFile written when the worker is told to stop, so tasks can save their work; null for none
 * @param retryBackoff how long a task that failed fast waits before its next attempt
 */
public record WorkerSettings(
    int slots,
    Duration maxRuntime,
    Duration shutdownGracePeriod,
    RetryPolicy retry,
    Duration heartbeatInterval,
    Duration exitWhenEmpty,
    long maxTasks,
    KeepTaskDirs keepTaskDirs,
    String job,
    String instanceId,
    String hostname,
    Duration receiveWait,
    int resultTailBytes,
    Duration killGracePeriod,
    Long maxMemoryPerTaskBytes,
    java.nio.file.Path noticeFile,
    RetryBackoff retryBackoff) {

  /** Which per-task directories are kept once the task has its final result. */
  public enum KeepTaskDirs { ALL, FAILED, NONE }

  public WorkerSettings {
    if (slots < 1) {
      throw new IllegalArgumentException("simultaneous tasks must be >= 1, was " + slots);
    }
    Objects.requireNonNull(shutdownGracePeriod, "shutdownGracePeriod");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(keepTaskDirs, "keepTaskDirs");
    Objects.requireNonNull(receiveWait, "receiveWait");
    Objects.requireNonNull(killGracePeriod, "killGracePeriod");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    if (maxMemoryPerTaskBytes != null && maxMemoryPerTaskBytes <= 0) {
      throw new IllegalArgumentException("maximum memory per task must be > 0, was " + maxMemoryPerTaskBytes);
    }
    if (maxRuntime != null && (maxRuntime.isZero() || maxRuntime.isNegative())) {
      maxRuntime = null;
    }
  }
}
