package dev.taskjob.core.queue;

import dev.taskjob.core.task.Task;

/**
 * A task received from a queue, leased to the receiver.
 *
 * @param task the task
 * @param deliveryAttempt 1 on first delivery, counting every redelivery (release, lease expiry)
 * @param receipt the provider's handle for extend/ack/release (SQS receipt handle, Pub/Sub ack id, lease file)
 */
public record LeasedTask(Task task, int deliveryAttempt, String receipt) {}
