package dev.taskjob.core.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * What a job's queues are called and how they lease.
 *
 * @param name base name from {@link QueueNames#derive}; providers add {@code -tasks}, {@code -events}, {@code -dlq}
 * @param leaseDuration how long a received task stays invisible before redelivery
 * @param maxAttempts deliveries of one message before it moves to the dead-letter queue. A job's
 *     queue sets it to {@link #deliveriesFor(int) 1 + its interruption allowance}: a failed attempt
 *     is sent again as a new message (see {@link dev.taskjob.core.task.Task#failedAttempts()}), so
 *     a message's redeliveries are the interruptions of one attempt.
 */
public record QueueSettings(String name, Duration leaseDuration, int maxAttempts) {

  /** Interruptions (spot notice, scale-in, lost VM, worker stop) one attempt of a task may have. */
  public static final int DEFAULT_MAX_INTERRUPTIONS = 10;

  /** The dead-letter threshold for an allowance of {@code maxInterruptions} per attempt. */
  public static int deliveriesFor(int maxInterruptions) {
    if (maxInterruptions < 0) {
      throw new IllegalArgumentException("max interruptions must be >= 0, was " + maxInterruptions);
    }
    return maxInterruptions + 1;
  }

  public QueueSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
  }

  /**
   * The lease for tasks whose max runtime is given: long enough that a worker extending the lease
   * every third of it never lets it lapse, short enough that a dead worker's tasks return soon.
   */
  public static Duration leaseFor(Duration maxRuntime) {
    long seconds = Math.max(30, Math.min(600, maxRuntime.toSeconds() / 4 + 30));
    return Duration.ofSeconds(seconds);
  }
}
