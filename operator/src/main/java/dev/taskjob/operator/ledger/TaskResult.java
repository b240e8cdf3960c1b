package dev.taskjob.operator.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskjob.core.event.TaskEvent;
import java.time.Instant;

/**
 * A task's final result as the ledger decided it: written once per task to the job's archive
 * (docs/results.md). Duplicate executions never produce one; a crash between archiving and saving the
 * ledger may write the same line again, so readers keep one line per {@code task_index}.
 *
 * @param status {@code succeeded} or {@code failed}
 * @param result the task's last output line (succeeded) or error text (failed), as the worker reported it
 * @param reason why a failed task failed, as the ledger records it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskResult(
    @JsonProperty("task_index") long taskIndex,
    @JsonProperty("task_id") String taskId,
    @JsonProperty("status") String status,
    @JsonProperty("timestamp") Instant timestamp,
    @JsonProperty("attempt") Integer attempt,
    @JsonProperty("elapsed_time") Double elapsedTime,
    @JsonProperty("exit_code") Integer exitCode,
    @JsonProperty("instance_id") String instanceId,
    @JsonProperty("result") String result,
    @JsonProperty("reason") String reason) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";

  /** The result line for the event that gave a task its final result. */
  static TaskResult of(TaskEvent event, Ledger.Outcome outcome, String failureReason) {
    boolean ok = outcome == Ledger.Outcome.SUCCEEDED;
    return new TaskResult(event.taskIndex(), event.taskId(), ok ? SUCCEEDED : FAILED, event.timestamp(),
        event.attempt(), event.elapsedTime(), event.exitCode(), event.instanceId(), event.result(),
        ok ? null : failureReason);
  }

  /** The result line of a dead-lettered task. */
  static TaskResult deadLettered(long index, String id, int deliveries, Instant now) {
    return new TaskResult(index, id, FAILED, now, deliveries, null, null, null, null,
        Ledger.deadLetterReason(deliveries));
  }

  public boolean succeeded() {
    return SUCCEEDED.equals(status);
  }
}
