package dev.taskjob.core.queue;

/** A job's queues by role, for commands that clean up one side only (rms-cloud-tasks' --task-queue-only / --event-queue-only). */
public enum QueuePart {
  /** The task queue and its dead-letter queue. */
  TASKS,
  /** The event queue. */
  EVENTS
}
