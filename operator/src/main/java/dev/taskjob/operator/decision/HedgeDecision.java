package dev.taskjob.operator.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Which stragglers get a second copy ({@code spec.worker.speculative}). Only in the tail: when every
 * unfinished task, every outstanding hedged copy and every task the workers report running fit in the
 * slots of the VMs already running, so a copy takes a slot that is paid for and would sit idle. Only
 * once enough tasks have finished for their 90th percentile to mean something; then a task that has run
 * longer than that percentile times the configured multiple gets one copy, the longest-running first, as
 * many as there are idle slots. A task is hedged at most once.
 */
public final class HedgeDecision {

  /** Multiple of the p90 elapsed time when {@code afterP90Multiple} is not given. */
  public static final double DEFAULT_P90_MULTIPLE = 3.0;
  /** Finished tasks needed before any hedge when {@code minFinishedTasks} is not given. */
  public static final int DEFAULT_MIN_FINISHED = 20;

  /** Why nothing (more) is hedged now, or that some tasks are. */
  public enum Verdict {
    /** Fewer tasks than the minimum have finished: the p90 is not known yet. */
    TOO_FEW_FINISHED,
    /** More work than running slots: a copy would delay a task that has not run at all. */
    NOT_IN_TAIL,
    /** In the tail, but no running task is past the threshold (or every one already has a copy). */
    NO_STRAGGLER,
    /** In the tail with stragglers, but every running slot is busy. */
    NO_IDLE_SLOT,
    /** {@link Result#hedge()} names the tasks to copy. */
    HEDGE
  }

  /** A task the workers reported starting, without a final result yet. */
  public record RunningTask(long index, Instant runningSince) {}

  /**
   * What the decision looks at.
   *
   * @param p90Multiple a task is a straggler once it has run longer than this times the p90
   * @param minFinished finished tasks (with an elapsed time) needed before any hedge
   * @param finishedWithTime finished tasks whose elapsed time the ledger knows
   * @param p90 the 90th percentile of those elapsed times
   * @param unfinished tasks without a final result
   * @param paidSlots task slots of the VMs running now
   * @param busySlots tasks the workers report running (losing copies still running included)
   * @param running unfinished tasks with the time they were last seen starting
   * @param hedged tasks that already have a copy (sent earlier)
   * @param now the current time
   */
  public record Inputs(double p90Multiple, int minFinished, long finishedWithTime, Duration p90, long unfinished,
      long paidSlots, long busySlots, List<RunningTask> running, Set<Long> hedged, Instant now) {}

  /** The verdict and the task indexes to send a copy of (empty unless {@link Verdict#HEDGE}). */
  public record Result(Verdict verdict, List<Long> hedge) {}

  private HedgeDecision() {}

  public static Result decide(Inputs in) {
    if (in.finishedWithTime() < in.minFinished() || in.finishedWithTime() == 0) {
      return new Result(Verdict.TOO_FEW_FINISHED, List.of());
    }
    long outstandingHedges = in.running().stream().filter(t -> in.hedged().contains(t.index())).count();
    long occupied = Math.max(in.busySlots(), in.unfinished() + outstandingHedges);
    if (in.unfinished() + outstandingHedges > in.paidSlots()) {
      return new Result(Verdict.NOT_IN_TAIL, List.of());
    }
    Duration threshold = Duration.ofNanos((long) (in.p90().toNanos() * in.p90Multiple()));
    List<Long> stragglers = in.running().stream()
        .filter(t -> !in.hedged().contains(t.index()))
        .filter(t -> Duration.between(t.runningSince(), in.now()).compareTo(threshold) > 0)
        .sorted(Comparator.comparing(RunningTask::runningSince).thenComparingLong(RunningTask::index))
        .map(RunningTask::index)
        .toList();
    if (stragglers.isEmpty()) {
      return new Result(Verdict.NO_STRAGGLER, List.of());
    }
    long idle = in.paidSlots() - occupied;
    if (idle <= 0) {
      return new Result(Verdict.NO_IDLE_SLOT, List.of());
    }
    return new Result(Verdict.HEDGE, stragglers.subList(0, (int) Math.min(idle, stragglers.size())));
  }
}
