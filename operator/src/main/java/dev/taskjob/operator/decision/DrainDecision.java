package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;

/**
 * When a running job stops taking work: when the ledger has a final result for every task, or, as a
 * fallback for lost events, when the queue reports nothing waiting or leased and no worker has
 * started, finished or reported running a task for {@code terminationDelay} (idle heartbeats do not
 * count). Queue depth alone is approximate (SQS says so), so it never ends a job on its own.
 *
 * <p>A task whose last delivery's lease lapsed moves to the dead-letter queue and leaves the task
 * queue empty; its final result is in the ledger only once the dead letters have been read. So while
 * the dead-letter queue holds anything, the fallback also waits for a read of it that started after
 * the task queue was first seen empty.
 *
 * <p>Events a reader received and never acknowledged (an operator that restarted between the two, a receive
 * whose answer was lost) stay hidden in the event queue until their redelivery time; until then a quiet
 * event queue proves nothing, so the idle clock starts no earlier than that time.
 */
public final class DrainDecision {

  /** Why (or whether) to drain. */
  public enum Verdict {
    /** Work remains. */
    KEEP_RUNNING,
    /** Every task has a final result in the ledger. */
    ALL_TASKS_FINISHED,
    /** The queue is empty and workers have been silent for terminationDelay; some results were not reported. */
    QUEUE_EMPTY_AND_IDLE
  }

  /**
   * What the decision looks at.
   *
   * @param loadingComplete every task was sent to the queue
   * @param allFinished the ledger has a final result for every task
   * @param waiting tasks the queue reports waiting, or -1 when unknown
   * @param leased tasks the queue reports leased, or -1 when unknown
   * @param deadLettered messages the dead-letter queue reports, or -1 when unknown
   * @param emptySince the first look of the current run of looks that saw nothing waiting or leased, or null
   * @param deadLettersReadAt when the last read of the dead-letter queue into the ledger started, or null
   * @param lastActivity the last report of work from any worker, or null
   * @param loadedAt when loading completed (the idle clock starts no earlier)
   * @param eventsHiddenUntil when events that some reader received and never acknowledged are delivered
   *     again at the latest (the idle clock starts no earlier), or null when no such events can exist
   * @param terminationDelay how long the queue must stay empty and workers silent
   * @param now the current time
   */
  public record Inputs(boolean loadingComplete, boolean allFinished, long waiting, long leased, long deadLettered,
      Instant emptySince, Instant deadLettersReadAt, Instant lastActivity, Instant loadedAt, Instant eventsHiddenUntil,
      Duration terminationDelay, Instant now) {}

  private DrainDecision() {}

  public static Verdict decide(Inputs in) {
    if (!in.loadingComplete()) {
      return Verdict.KEEP_RUNNING;
    }
    if (in.allFinished()) {
      return Verdict.ALL_TASKS_FINISHED;
    }
    if (in.waiting() != 0 || in.leased() != 0) {
      return Verdict.KEEP_RUNNING;
    }
    if (in.deadLettered() != 0 && !deadLettersReadSinceEmpty(in)) {
      return Verdict.KEEP_RUNNING;
    }
    Instant idleSince = idleSince(in);
    if (idleSince != null && !in.now().isBefore(idleSince.plus(in.terminationDelay()))) {
      return Verdict.QUEUE_EMPTY_AND_IDLE;
    }
    return Verdict.KEEP_RUNNING;
  }

  /** How long until the fallback could fire, for scheduling the next look; null when it cannot. */
  public static Duration untilFallback(Inputs in) {
    Instant idleSince = idleSince(in);
    if (idleSince == null) {
      return null;
    }
    Duration left = Duration.between(in.now(), idleSince.plus(in.terminationDelay()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** A dead letter that left the task queue before it was seen empty is in a read that started later. */
  private static boolean deadLettersReadSinceEmpty(Inputs in) {
    return in.emptySince() != null && in.deadLettersReadAt() != null && in.deadLettersReadAt().isAfter(in.emptySince());
  }

  /** The start of the current run of looks that saw the task queue empty: kept, started, or ended. */
  public static Instant emptySince(Instant before, long waiting, long leased, Instant now) {
    if (waiting != 0 || leased != 0) {
      return null;
    }
    return before != null ? before : now;
  }

  /** Where the idle clock starts: the last work reported, the end of loading, the return of hidden events. */
  private static Instant idleSince(Inputs in) {
    Instant since = latest(in.lastActivity(), in.loadedAt());
    return since == null ? null : latest(since, in.eventsHiddenUntil());
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isAfter(b) ? a : b;
  }
}
