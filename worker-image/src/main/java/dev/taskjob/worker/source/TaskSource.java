package dev.taskjob.worker.source;

import java.time.Duration;
import java.util.List;

/**
 * Where the worker's tasks come from and where their results go back to: a task list (file or
 * generator; see {@link ListTaskSource}) or a job's queue (see {@link QueueTaskSource}).
 */
public interface TaskSource extends AutoCloseable {

  /** One line for the configuration summary, e.g. {@code local tasks file "tasks.json"}. */
  String description();

  /** True for a queue: tasks are leased, must be acked or released, and {@link #take} may block on the network. */
  boolean isQueue();

  /**
   * Hands out up to {@code max} tasks. A list source answers at once; a queue waits up to {@code wait}
   * for the first task. An empty result means nothing is available now.
   */
  List<SourcedTask> take(int max, Duration wait);

  /** True when a list source has handed out every task and has no retries pending; never for a queue. */
  boolean exhausted();

  /** The task reached its final result (success or final failure): a queue acks it. */
  void completed(SourcedTask task);

  /**
   * The task gets another attempt, not before {@code delay} from now: a list source runs it again, a queue
   * sends it again (holding the failed delivery's lease meanwhile).
   */
  void retry(SourcedTask task, Duration delay);

  /** Retries waiting for their delay; the worker does not count as idle while there are any. */
  default int pendingRetries() {
    return 0;
  }

  /** {@link System#nanoTime()} when a delayed retry last reached the queue; the worker's idle time counts from it. */
  default long lastRetrySentNanos() {
    return Long.MIN_VALUE;
  }

  /** The attempt was interrupted without a result (shutdown, preemption): a queue releases the lease. */
  void release(SourcedTask task);

  /**
   * The task was received but never started (held for a slot, or received while the worker stopped): it goes
   * back to the queue without counting against its interruptions where that would dead-letter it.
   */
  default void handBack(SourcedTask task) {
    release(task);
  }

  /**
   * A queue stops handing out tasks, ending a long poll in progress where the queue can: called when
   * the worker stops, so it does not wait out a receive.
   */
  default void stopReceiving() {}

  /** How long a lease lasts, or null when tasks are not leased. */
  Duration leaseDuration();

  /** Extends the lease of a running queue task so it is not delivered again while it runs. */
  void extendLease(SourcedTask task, Duration leaseFromNow);

  /** Finishes pending acks and releases, then frees resources. */
  @Override
  void close();
}
