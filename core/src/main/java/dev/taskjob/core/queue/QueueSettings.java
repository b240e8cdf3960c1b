package dev.taskjob.core.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * What a job's queues are called and how they lease.
 *
 * @param name base name from {@link QueueNames#derive}; providers add {@code -tasks}, {@code -events}, {@code -dlq}
 * @param leaseDuration how long a received task stays invisible before redelivery
 * @param maxAttempts deliveries before a task moves to the dead-letter queue
 */
public record QueueSettings(String name, Duration leaseDuration, int maxAttempts) {

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
