package dev.taskjob.worker.source;

import java.time.Duration;

/**
 * What a queue source does when the queue refuses the re-send that carries a failed attempt. Releasing
 * the delivery instead would let the task run again with that failure uncounted, one attempt more than
 * {@code maxAttempts}; so the failed delivery is held (its lease extended) and the re-send tried again,
 * backing off from 1 s to 30 s. A stopping worker keeps trying only while its wait for pending
 * acknowledgements lasts; then it releases the delivery, and the queue delivers the task with the count
 * it had (the one case that still loses the count, as a worker killed before the re-send does).
 */
public final class RefusedResend {

  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  static final Duration MAX_WAIT = Duration.ofSeconds(30);

  /**
   * The verdict after a refusal.
   *
   * @param tryAgain hold the delivery and send again after {@code delay}; false: release it
   * @param delay how long to wait before the next send
   */
  public record Next(boolean tryAgain, Duration delay) {}

  private RefusedResend() {}

  /**
   * @param refusals re-sends of this attempt the queue refused so far, at least 1
   * @param timeLeft null while the worker runs; once it stops, how long it still waits for pending sends
   */
  public static Next after(int refusals, Duration timeLeft) {
    int doublings = Math.min(Math.max(0, refusals - 1), 30);
    Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
    Duration delay = wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    if (timeLeft != null && delay.compareTo(timeLeft) > 0) {
      return new Next(false, Duration.ZERO);
    }
    return new Next(true, delay);
  }
}
