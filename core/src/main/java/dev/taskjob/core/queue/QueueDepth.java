package dev.taskjob.core.queue;

/**
 * Approximate message counts. A value of -1 means the provider cannot tell.
 *
 * @param waiting tasks ready to be received
 * @param leased tasks received and not yet acked or returned (in flight)
 * @param deadLettered tasks in the dead-letter queue
 */
public record QueueDepth(long waiting, long leased, long deadLettered) {

  /** Tasks not yet finished: waiting plus leased (unknown parts count as unknown). */
  public long unfinished() {
    return waiting < 0 || leased < 0 ? -1 : waiting + leased;
  }
}
