package dev.taskjob.operator.load;

import java.time.Duration;

/**
 * What a finished load did.
 *
 * @param total tasks in the job
 * @param startOffset where this run started (0, or the resumed checkpoint's offset)
 * @param sent tasks this run sent
 * @param possiblyDuplicated tasks this run may have sent a second time (resuming re-sends the
 *     previous run's in-flight window); the ledger counts actual duplicates as they finish
 * @param elapsed time this run took
 * @param tasksPerSecond this run's rate
 * @param retries batch retries after retryable queue errors
 */
public record LoadResult(long total, long startOffset, long sent, long possiblyDuplicated, Duration elapsed,
    double tasksPerSecond, long retries) {}
