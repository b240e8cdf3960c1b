package dev.taskjob.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * An event a worker reports, serialised as one JSON object (one line in an event log).
 *
 * <p>Field names are snake_case and match rms-cloud-tasks where that tool has the field
 * ({@code timestamp}, {@code hostname}, {@code event_type}, {@code task_id}, {@code elapsed_time},
 * {@code retry}, {@code result}); absent fields are omitted. See docs/events.md.
 *
 * @param timestamp when it happened (ISO-8601, UTC)
 * @param eventType what happened
 * @param job the TaskJob ({@code namespace/name}) or the local job id
 * @param instanceId the VM id (or local instance name)
 * @param hostname the host the worker runs on
 * @param taskId the task's id, for task events
 * @param taskIndex the task's index in its list, for task events
 * @param attempt 1-based attempt number, for task events
 * @param finalAttempt for task_failed / task_timed_out: true when no retry follows (the task is finally failed)
 * @param retry true when the task goes back to its source for another attempt (rms-cloud-tasks' flag)
 * @param elapsedTime seconds the task process ran
 * @param exitCode the task process's exit code, when it exited
 * @param result the result or error text (for example the tail of stderr)
 * @param slot which of the worker's simultaneous-task slots ran it
 * @param runningTasks for worker events: how many tasks are running
 * @param completedTasks for worker events: how many tasks this worker has finished
 * @param message free text for worker events (reason for stopping, notice time for spot interruptions)
 * @param hedge true on every event of a hedged copy of a task (a second copy the operator sent for a straggler)
 * @param peakMemoryBytes for task_completed / task_failed: the most resident memory the task's whole process tree
 *     held at one sample (absent when the task ended before the first sample or /proc is missing)
 * @param cpuSeconds for task_completed / task_failed: user + system CPU seconds of the task's process tree,
 *     including children it reaped, at the last sample (absent like {@code peakMemoryBytes})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEvent(
    @JsonProperty("timestamp") Instant timestamp,
    @JsonProperty("event_type") EventType eventType,
    @JsonProperty("job") String job,
    @JsonProperty("instance_id") String instanceId,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("task_index") Long taskIndex,
    @JsonProperty("attempt") Integer attempt,
    @JsonProperty("final") Boolean finalAttempt,
    @JsonProperty("retry") Boolean retry,
    @JsonProperty("elapsed_time") Double elapsedTime,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("result") String result,
    @JsonProperty("slot") Integer slot,
    @JsonProperty("running_tasks") Integer runningTasks,
    @JsonProperty("completed_tasks") Long completedTasks,
    @JsonProperty("message") String message,
    @JsonProperty("hedge") Boolean hedge,
    @JsonProperty("peak_memory_bytes") Long peakMemoryBytes,
    @JsonProperty("cpu_seconds") Double cpuSeconds) {

  /**
   * How the message of a {@code worker_stopping} event starts when the worker could not start at all (its
   * task program is missing, its settings are invalid): the rest is the reason, for the TaskJob's conditions.
   */
  public static final String STARTUP_ERROR_PREFIX = "start-up error: ";

  /**
   * How the message of a {@code worker_stopping} begins when the worker ran no task because its machine cannot
   * run the job's tasks (the job's image, its startup script); the reason follows. Unlike
   * {@link #STARTUP_ERROR_PREFIX}, no other VM can do better, so the pool fails at once.
   */
  public static final String STARTUP_FAILED = "startup failed: ";

  /** True when the event is from a hedged copy of its task. */
  public boolean isHedge() {
    return Boolean.TRUE.equals(hedge);
  }

  /** Starts an event of the given type now; fill the rest with the builder. */
  public static Builder builder(EventType type) {
    return new Builder(type);
  }

  /** Builder so call sites name only the fields they set. */
  public static final class Builder {
    private Instant timestamp = Instant.now();
    private final EventType eventType;
    private String job;
    private String instanceId;
    private String hostname;
    private String taskId;
    private Long taskIndex;
    private Integer attempt;
    private Boolean finalAttempt;
    private Boolean retry;
    private Double elapsedTime;
    private Integer exitCode;
    private String result;
    private Integer slot;
    private Integer runningTasks;
    private Long completedTasks;
    private String message;
    private Boolean hedge;
    private Long peakMemoryBytes;
    private Double cpuSeconds;

    private Builder(EventType eventType) {
      this.eventType = eventType;
    }

    public Builder timestamp(Instant v) { this.timestamp = v; return this; }
    public Builder job(String v) { this.job = v; return this; }
    public Builder instanceId(String v) { this.instanceId = v; return this; }
    public Builder hostname(String v) { this.hostname = v; return this; }
    public Builder taskId(String v) { this.taskId = v; return this; }
    public Builder taskIndex(long v) { this.taskIndex = v; return this; }
    public Builder attempt(int v) { this.attempt = v; return this; }
    public Builder finalAttempt(boolean v) { this.finalAttempt = v; return this; }
    public Builder retry(boolean v) { this.retry = v; return this; }
    public Builder elapsedTime(double v) { this.elapsedTime = v; return this; }
    public Builder exitCode(int v) { this.exitCode = v; return this; }
    public Builder result(String v) { this.result = v; return this; }
    public Builder slot(int v) { this.slot = v; return this; }
    public Builder runningTasks(int v) { this.runningTasks = v; return this; }
    public Builder completedTasks(long v) { this.completedTasks = v; return this; }
    public Builder message(String v) { this.message = v; return this; }
    public Builder hedge(boolean v) { this.hedge = v ? Boolean.TRUE : null; return this; }
    public Builder peakMemoryBytes(long v) { this.peakMemoryBytes = v; return this; }
    public Builder cpuSeconds(double v) { this.cpuSeconds = v; return this; }

    public TaskEvent build() {
      return new TaskEvent(timestamp, eventType, job, instanceId, hostname, taskId, taskIndex, attempt,
          finalAttempt, retry, elapsedTime, exitCode, result, slot, runningTasks, completedTasks, message, hedge,
          peakMemoryBytes, cpuSeconds);
    }
  }
}
