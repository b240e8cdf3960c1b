package dev.taskjob.operator.ledger;

/**
 * What one failed attempt of a task (task_failed or task_timed_out, not a hedged copy's) means, given the
 * failures the ledger counted for that task before it.
 *
 * <p>The worker marks an attempt final from the count its queue message carries. That count is lost when
 * a worker dies before its re-send of a failed task reaches the queue: the old message comes back and the
 * task runs again under the same attempt number. The ledger's own count does not depend on the message,
 * so a task whose counted failures reach {@code maxAttempts} is failed even when no worker marked that
 * attempt final. A count never grows past {@code maxAttempts}: the task is final there.
 */
public final class FailureCount {

  /** No limit known (a ledger saved before it counted failures): the worker's flag alone decides. */
  public static final int NO_LIMIT = 0;

  /**
   * @param failures the task's counted failures with this one
   * @param isFinal the task failed for good with this attempt
   * @param finalByCount final only because the count reached {@code maxAttempts} (the worker expected a retry)
   */
  public record Decision(int failures, boolean isFinal, boolean finalByCount) {}

  private FailureCount() {}

  /**
   * @param countedBefore failures the ledger counted for the task before this one
   * @param workerSaysFinal the event says no retry follows ({@link Ledger#isFinal})
   * @param maxAttempts the job's {@code spec.worker.retry.maxAttempts}, or {@link #NO_LIMIT}
   */
  public static Decision decide(int countedBefore, boolean workerSaysFinal, int maxAttempts) {
    int failures = countedBefore + 1;
    boolean byCount = maxAttempts != NO_LIMIT && failures >= maxAttempts;
    return new Decision(failures, workerSaysFinal || byCount, byCount && !workerSaysFinal);
  }
}
