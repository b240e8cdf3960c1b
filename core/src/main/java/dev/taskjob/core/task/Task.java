package dev.taskjob.core.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One unit of work: a unique id, the JSON object handed to the task process, and the task's
 * zero-based position in its task list. The index is what the ledger's bitmap is keyed by.
 *
 * <p>{@code failedAttempts} counts the attempts that used up the task's {@code maxAttempts} (its own
 * failure or timeout) before this copy was sent. It travels in the queue message because a queue's
 * delivery count cannot tell an interruption (spot notice, scale-in, lost VM) from a failure: a worker
 * that retries a failed task sends it again with the count raised; an interrupted task is only
 * released, so its count stays.
 *
 * <p>{@code hedge} marks a second copy the operator sent for a task that runs far longer than the job's
 * others ({@code spec.worker.speculative}): it runs once, never uses up an attempt, and only its success
 * counts (the first final result in the ledger wins).
 */
public record Task(String id, ObjectNode data, long index, int failedAttempts, boolean hedge) {

  /** A task that has not failed yet. */
  public Task(String id, ObjectNode data, long index) {
    this(id, data, index, 0, false);
  }

  public Task(String id, ObjectNode data, long index, int failedAttempts) {
    this(id, data, index, failedAttempts, false);
  }

  public Task {
    Objects.requireNonNull(id, "id");
    if (data == null) {
      data = JsonNodeFactory.instance.objectNode();
    }
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, was " + index);
    }
    if (failedAttempts < 0) {
      throw new IllegalArgumentException("failedAttempts must be >= 0, was " + failedAttempts);
    }
  }

  /** This task to be sent again after an attempt that counted: {@code failedAttempts} attempts used. */
  public Task withFailedAttempts(int failedAttempts) {
    return new Task(id, data, index, failedAttempts, hedge);
  }

  /** A hedged copy of this task: run once more elsewhere, its attempts untouched. */
  public Task asHedge() {
    return new Task(id, data, index, 0, true);
  }
}
