package dev.taskjob.operator.load;

/**
 * Where a load can resume: every task with an index below {@code offset} was accepted by the queue.
 * Tasks from {@code offset} up to {@code offset + window} may also have been sent (batches in flight
 * or finished out of order); resuming sends them again, so at most {@code window} tasks are
 * duplicated, and only if the checkpoint was saved on every report.
 *
 * @param offset tasks [0, offset) are in the queue
 * @param window the most tasks past {@code offset} that the load may have sent (0 before anything was sent)
 */
public record LoadCheckpoint(long offset, long window) {

  public static final LoadCheckpoint START = new LoadCheckpoint(0, 0);

  public LoadCheckpoint {
    if (offset < 0 || window < 0) {
      throw new IllegalArgumentException("offset and window must be >= 0");
    }
  }

  /** How many tasks resuming from here may send a second time, for a list of {@code total} tasks. */
  public long possiblyDuplicated(long total) {
    return Math.max(0, Math.min(window, total - offset));
  }
}
