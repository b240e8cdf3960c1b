package dev.taskjob.worker;

import java.time.Duration;

/**
 * How long a failed task waits before its next attempt. An attempt that ran at least {@code fastFailure}
 * is retried at once (it did real work, and a slow failure paces itself); one that failed faster waits
 * {@code initial} doubled for each earlier attempt, at most {@code max}, so a program that fails at start
 * (a missing input, a service that is down) does not spin through its attempts in a tight loop. The slot
 * meanwhile runs other tasks.
 *
 * @param initial the wait after a fast first attempt; zero turns back-off off
 * @param max the longest wait
 * @param fastFailure attempts shorter than this are fast failures
 */
public record RetryBackoff(Duration initial, Duration max, Duration fastFailure) {

  public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FAST_FAILURE = Duration.ofSeconds(30);

  public RetryBackoff {
    if (initial.isNegative() || max.isNegative() || fastFailure.isNegative()) {
      throw new IllegalArgumentException("retry back-off durations must not be negative");
    }
    if (max.compareTo(initial) < 0) {
      max = initial;
    }
  }

  public static RetryBackoff defaults(Duration initial) {
    return new RetryBackoff(initial, DEFAULT_MAX, DEFAULT_FAST_FAILURE);
  }

  /**
   * @param failedAttempt the 1-based attempt that just failed
   * @param ranFor how long it ran
   */
  public Duration delay(int failedAttempt, Duration ranFor) {
    if (initial.isZero() || ranFor.compareTo(fastFailure) >= 0) {
      return Duration.ZERO;
    }
    int doublings = Math.max(0, failedAttempt - 1);
    // Beyond 40 doublings any initial of a millisecond or more is past any sensible max.
    if (doublings >= 40) {
      return max;
    }
    Duration delay = initial.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
