package dev.taskjob.worker.source;

import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.task.Task;

/**
 * A task handed out by a {@link TaskSource} for one attempt.
 *
 * @param task the task
 * @param attempt 1-based attempt number (for queue tasks, the task's failed attempts + 1: interruptions do not count)
 * @param lease the queue lease, or null for tasks from a file or generator
 */
public record SourcedTask(Task task, int attempt, LeasedTask lease) {}
