package dev.taskjob.core.queue;

/**
 * A task already in its queue-message form ({@link dev.taskjob.core.Json#taskToJsonBytes}), so that a loader
 * which encoded it while validating does not parse and encode it again to send it.
 *
 * @param index the task's index (for error messages and checkpoints)
 * @param body the message body, UTF-8 JSON; not copied, and must not change once handed over
 */
public record TaskMessage(long index, byte[] body) {}
