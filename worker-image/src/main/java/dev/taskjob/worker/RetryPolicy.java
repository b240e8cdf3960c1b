package dev.taskjob.worker;

import java.util.Set;
import java.util.TreeSet;

/**
 * Decides what an attempt's end means for its task: done, failed for good, or another attempt.
 *
 * <p>Exit code 0 is success. An exit code listed in {@code retryExitCodes} is retried (like AWS Batch's
 * {@code evaluateOnExit} RETRY action) even without {@code retryOnFailure}; any other non-zero code is
 * retried only with {@code retryOnFailure}; a timeout only with {@code retryOnTimeout}. No task runs more
 * than {@code maxAttempts} times. A task over its memory limit or one that could not be started is never
 * retried: another attempt would end the same way.
 *
 * @param retryOnFailure retry tasks that exit with a non-zero code
 * @param retryOnTimeout retry tasks killed at the maximum runtime
 * @param maxAttempts attempts per task, at least 1
 * @param retryExitCodes exit codes that always mean "try again"
 */
public record RetryPolicy(boolean retryOnFailure, boolean retryOnTimeout, int maxAttempts, Set<Integer> retryExitCodes) {

  /** The verdict on one attempt: its outcome and whether the task runs again. */
  public record Decision(TaskOutcome outcome, boolean retry) {
    /** True when the task has its final result (no further attempt). */
    public boolean isFinal() {
      return !retry;
    }
  }

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be >= 1, was " + maxAttempts);
    }
    retryExitCodes = Set.copyOf(retryExitCodes == null ? Set.of() : retryExitCodes);
  }

  /** No retries at all. */
  public static RetryPolicy none() {
    return new RetryPolicy(false, false, 1, Set.of());
  }

  /**
   * @param outcome how the attempt ended ({@link TaskOutcome#classify})
   * @param exitCode the process's exit code (128 + signal when a signal ended it); ignored unless FAILED
   * @param attempt 1-based number of the attempt that ended
   */
  public Decision decide(TaskOutcome outcome, int exitCode, int attempt) {
    boolean attemptsLeft = attempt < maxAttempts;
    boolean retry = switch (outcome) {
      case TIMED_OUT -> retryOnTimeout && attemptsLeft;
      case FAILED -> (retryOnFailure || retryExitCodes.contains(exitCode)) && attemptsLeft;
      // the same data or the same program would fail the same way; an interrupted attempt is released
      // by the supervisor, not retried by the policy
      case SUCCEEDED, MEMORY_LIMIT, COULD_NOT_START, INTERRUPTED -> false;
    };
    return new Decision(outcome, retry);
  }

  /**
   * Parses exit codes such as {@code "3,5-7, 75"} (comma-separated codes and inclusive ranges, 0..255).
   *
   * @throws IllegalArgumentException naming the bad element
   */
  public static Set<Integer> parseExitCodes(String text) {
    Set<Integer> codes = new TreeSet<>();
    if (text == null || text.isBlank()) {
      return codes;
    }
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int dash = p.indexOf('-', 1);
      int from;
      int to;
      try {
        if (dash > 0) {
          from = Integer.parseInt(p.substring(0, dash).trim());
          to = Integer.parseInt(p.substring(dash + 1).trim());
        } else {
          from = Integer.parseInt(p);
          to = from;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + p + "' is not an exit code or range like 3 or 5-7");
      }
      if (from < 1 || to > 255 || from > to) {
        throw new IllegalArgumentException("'" + p + "' is outside 1..255 or reversed (exit code 0 means success)");
      }
      for (int c = from; c <= to; c++) {
        codes.add(c);
      }
    }
    return codes;
  }

  @Override
  public String toString() {
    return "retry on failure " + retryOnFailure + ", on timeout " + retryOnTimeout + ", max attempts " + maxAttempts
        + ", retry exit codes " + (retryExitCodes.isEmpty() ? "none" : new TreeSet<>(retryExitCodes));
  }
}
