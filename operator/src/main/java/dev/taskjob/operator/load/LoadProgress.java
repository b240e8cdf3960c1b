package dev.taskjob.operator.load;

import java.time.Duration;

/**
 * A progress report.
 *
 * @param total tasks in the job
 * @param sent tasks the queue accepted so far, including those before the resume offset
 * @param checkpoint where a restart would resume; persist it to resume with few duplicates
 * @param tasksPerSecond sending rate of this run
 * @param elapsed time since this run started
 * @param retries batch retries after retryable queue errors so far
 * @param done true on the last report of a successful load
 */
public record LoadProgress(long total, long sent, LoadCheckpoint checkpoint, double tasksPerSecond, Duration elapsed,
    long retries, boolean done) {

  /** Fraction sent, 0..1. */
  public double fraction() {
    return total == 0 ? 1.0 : (double) sent / total;
  }
}
