package dev.taskjob.operator.ledger;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.stats.ElapsedTimeStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The exact account of a job's tasks: which task indexes reached a final result (a bitmap), which of
 * those failed (a second bitmap), counts, and a bounded list of failed tasks with their reasons.
 *
 * <p>Applying the same event twice changes nothing: events applied since the last {@link #checkpoint}
 * are remembered by fingerprint, and that window is saved with the ledger, so events redelivered after
 * a crash between saving the ledger and acknowledging them are recognised. A second final result for
 * an index that is already final, from a different event, is a duplicate execution (a task delivered
 * twice, or the losing copy of a hedged task): it is counted in {@link #duplicates()} and does not change
 * the other counts. A hedged copy's failure is not recorded at all: it used up no attempt.
 *
 * <p>Each unfinished task's own failures (failed or timed out, not interrupted) are counted, and a task
 * whose count reaches the job's {@code maxAttempts} is failed even when no worker marked that attempt
 * final ({@link FailureCount}): the count a queue message carries is lost when a worker dies before its
 * re-send of a failed task goes through. A redelivered copy of a failure event is recognised by the replay
 * window like any other event, so it is not counted twice.
 *
 * <p>Not thread-safe; {@link dev.taskjob.operator.progress.JobProgress} serialises access.
 */
public final class Ledger {

  /** Failed-task records kept with their ids, by total size of ids and reasons (the bitmap keeps every index). */
  public static final int MAX_FAILED_RECORD_BYTES = 128 * 1024;
  /** Missing-task records kept with their ids, by total size of ids (the bitmap keeps every index). */
  public static final int MAX_MISSING_RECORD_BYTES = 128 * 1024;
  /** Longest reason kept per failed task. */
  public static final int MAX_REASON_LENGTH = 200;

  /** A task that finished with a final failure. */
  public record FailedTask(long index, String id, String reason) {
    public FailedTask {
      Objects.requireNonNull(id, "id");
      reason = reason == null ? "" : clean(reason);
    }

    int sizeInBytes() {
      return id.getBytes(StandardCharsets.UTF_8).length + reason.getBytes(StandardCharsets.UTF_8).length + 24;
    }
  }

  /** What applying one event did. */
  /** A task the job finished without a result for: its index and its id in the task source. */
  public record MissingTask(long index, String id) {
    int sizeInBytes() {
      return id.getBytes(StandardCharsets.UTF_8).length + 16;
    }
  }

  public enum Outcome {
    /** First final success for the index. */
    SUCCEEDED,
    /** First final failure for the index. */
    FAILED,
    /** A non-final failure: the task goes back to the queue for another attempt. */
    RETRIED,
    /** A final result for an index that was already final. */
    DUPLICATE,
    /** Seen before (redelivered event): nothing changed. */
    REPLAYED,
    /** The event has no task index, or one outside the job. */
    INVALID,
    /** Not an event the ledger records (worker events, task_started). */
    IGNORED
  }

  private final long total;
  /** The job's {@code spec.worker.retry.maxAttempts}, or {@link FailureCount#NO_LIMIT}. */
  private final int maxAttempts;
  /**
   * Counted failures of each unfinished task, by index (0 for none, cleared once the task is final);
   * allocated at the first failure, saved sparse by {@link LedgerCodec}.
   */
  private short[] failureCounts;
  private final BitSet finished;
  private final BitSet failedSet;
  private long succeeded;
  private long failed;
  private long retried;
  private long duplicates;
  private long deadLettered;
  private long invalid;
  private final List<FailedTask> failedTasks;
  /** The reason of the last task marked failed, for its result line. */
  private String lastFailureReason;
  private int failedTaskBytes;
  private boolean failedTasksTruncated;
  /** Named when the job finishes without a result for some tasks, in index order; bounded. */
  private final List<MissingTask> missingTasks = new ArrayList<>();
  /** Fingerprints of the events applied in the previous window (saved) and the current one. */
  private final Set<Long> savedWindow;
  private final Set<Long> currentWindow;
  /** Elapsed times of tasks' first final results (duplicates and retries excluded). */
  private final ElapsedTimeStats elapsedTimes = new ElapsedTimeStats();
  /**
   * Each succeeded task's own share of its VM's cost, in millionths of a USD: the histogram's 1% buckets
   * start at a thousandth, and most tasks cost less than a tenth of a cent.
   */
  private final ElapsedTimeStats taskCostMicros = new ElapsedTimeStats();
  /** Peak memory and CPU of tasks' first final results, as their workers measured them. */
  private final TaskUsage usage = new TaskUsage();

  /** A ledger that counts failures without a limit of its own: the workers' final flags decide. */
  public Ledger(long total) {
    this(total, FailureCount.NO_LIMIT);
  }

  /** A ledger that fails a task once its counted failures reach {@code maxAttempts}. */
  public Ledger(long total, int maxAttempts) {
    this(total, maxAttempts, new BitSet(), new BitSet(), 0, 0, 0, 0, List.of(), false, Set.of());
  }

  Ledger(long total, int maxAttempts, BitSet finished, BitSet failedSet, long retried, long duplicates, long deadLettered,
      long invalid, List<FailedTask> failedTasks, boolean failedTasksTruncated, Set<Long> window) {
    if (total < 0 || total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("total must be 0.." + Integer.MAX_VALUE + ", was " + total);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be >= 0, was " + maxAttempts);
    }
    this.total = total;
    this.maxAttempts = maxAttempts;
    this.finished = finished;
    this.failedSet = failedSet;
    this.failed = failedSet.cardinality();
    this.succeeded = finished.cardinality() - failed;
    this.retried = retried;
    this.duplicates = duplicates;
    this.deadLettered = deadLettered;
    this.invalid = invalid;
    this.failedTasks = new ArrayList<>(failedTasks);
    this.failedTaskBytes = failedTasks.stream().mapToInt(FailedTask::sizeInBytes).sum();
    this.failedTasksTruncated = failedTasksTruncated;
    this.savedWindow = new LinkedHashSet<>(window);
    this.currentWindow = new LinkedHashSet<>();
  }

  /** Records one worker event. */
  public Outcome apply(TaskEvent event) {
    EventType type = event.eventType();
    if (type == null || !type.isTaskEvent() || type == EventType.TASK_STARTED || type == EventType.TASK_RETRIED) {
      return Outcome.IGNORED;
    }
    if (event.isHedge() && type != EventType.TASK_COMPLETED) {
      return Outcome.IGNORED; // a hedged copy only ever adds a success; the original's attempts decide failure
    }
    Long index = event.taskIndex();
    if (index == null || index < 0 || index >= total) {
      invalid++;
      return Outcome.INVALID;
    }
    long fingerprint = fingerprint(event);
    if (savedWindow.contains(fingerprint) || !currentWindow.add(fingerprint)) {
      return Outcome.REPLAYED;
    }
    Outcome outcome = type == EventType.TASK_COMPLETED
        ? markFinished(index.intValue(), null, null)
        : applyFailure(index.intValue(), event);
    if ((outcome == Outcome.SUCCEEDED || outcome == Outcome.FAILED) && event.elapsedTime() != null) {
      elapsedTimes.record(event.elapsedTime());
    }
    if (outcome == Outcome.SUCCEEDED || outcome == Outcome.FAILED) {
      usage.record(event);
    }
    return outcome;
  }

  /** Records a succeeded task's own share of its VM's cost, in USD. */
  public void recordTaskCost(double usd) {
    taskCostMicros.record(usd * 1e6);
  }

  /** Succeeded tasks' own shares of their VMs' cost, in millionths of a USD ({@link #recordTaskCost}). */
  public ElapsedTimeStats taskCostMicros() {
    return taskCostMicros;
  }

  /** What finished tasks used (each task counted once, when its worker measured it). */
  public TaskUsage usage() {
    return usage;
  }

  /** Elapsed-time statistics of finished tasks (each task counted once). */
  public ElapsedTimeStats elapsedTimes() {
    return elapsedTimes;
  }

  /**
   * Records a task that reached the dead-letter queue: one attempt was delivered the maximum number of
   * times without a result (its interruption allowance), e.g. because its worker died each time. Idempotent: a task that is already
   * final is left alone and not counted as a duplicate, since it did not run again.
   */
  public Outcome applyDeadLetter(long index, String id, int deliveries) {
    if (index < 0 || index >= total) {
      invalid++;
      return Outcome.INVALID;
    }
    if (finished.get((int) index)) {
      return Outcome.REPLAYED;
    }
    deadLettered++;
    return markFinished((int) index, id, deadLetterReason(deliveries));
  }

  static String deadLetterReason(int deliveries) {
    return "interrupted " + Math.max(0, deliveries - 1) + " times without a result (dead-lettered after "
        + deliveries + " deliveries)";
  }

  /**
   * Applies one event and, when it gave a task its first final result, adds that result to {@code finals}.
   */
  public Outcome apply(TaskEvent event, java.util.List<TaskResult> finals) {
    Outcome outcome = apply(event);
    if (outcome == Outcome.SUCCEEDED || outcome == Outcome.FAILED) {
      finals.add(TaskResult.of(event, outcome, lastFailureReason));
    }
    return outcome;
  }

  /** As {@link #applyDeadLetter(long, String, int)}, adding the task's failed result to {@code finals}. */
  public Outcome applyDeadLetter(long index, String id, int deliveries, java.time.Instant now,
      java.util.List<TaskResult> finals) {
    Outcome outcome = applyDeadLetter(index, id, deliveries);
    if (outcome == Outcome.FAILED) {
      finals.add(TaskResult.deadLettered(index, id, deliveries, now));
    }
    return outcome;
  }

  /**
   * A failed or timed-out attempt: counted for its task, and final when the worker says so or the count
   * reaches {@code maxAttempts}. An extra run's failure of a task that is already final is a duplicate.
   */
  private Outcome applyFailure(int index, TaskEvent event) {
    if (finished.get(index)) {
      duplicates++;
      return Outcome.DUPLICATE;
    }
    FailureCount.Decision decision = FailureCount.decide(failureCount(index), isFinal(event), maxAttempts);
    if (!decision.isFinal()) {
      setFailureCount(index, decision.failures());
      retried++;
      return Outcome.RETRIED;
    }
    String reason = failureReason(event);
    if (decision.finalByCount()) {
      reason += " (failure " + decision.failures() + " of maxAttempts " + maxAttempts + ", counted by the ledger)";
    }
    return markFinished(index, event.taskId(), reason);
  }

  /** Failures counted for a task that has no final result yet (0 once it has one). */
  public int failureCount(long index) {
    return failureCounts == null || index < 0 || index >= total ? 0 : failureCounts[(int) index];
  }

  /** The job's {@code maxAttempts} this ledger enforces, or {@link FailureCount#NO_LIMIT}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  void setFailureCount(int index, int count) {
    if (count == 0 && failureCounts == null) {
      return;
    }
    if (failureCounts == null) {
      failureCounts = new short[(int) total];
    }
    failureCounts[index] = (short) Math.min(count, Short.MAX_VALUE);
  }

  /** Indexes of unfinished tasks with at least one counted failure, ascending. */
  int[] indexesWithFailures() {
    if (failureCounts == null) {
      return new int[0];
    }
    int n = 0;
    for (short c : failureCounts) {
      n += c > 0 ? 1 : 0;
    }
    int[] out = new int[n];
    for (int i = 0, k = 0; k < n; i++) {
      if (failureCounts[i] > 0) {
        out[k++] = i;
      }
    }
    return out;
  }

  private Outcome markFinished(int index, String failedId, String reason) {
    if (finished.get(index)) {
      duplicates++;
      return Outcome.DUPLICATE;
    }
    finished.set(index);
    setFailureCount(index, 0);
    lastFailureReason = reason;
    if (failedId == null) {
      succeeded++;
      return Outcome.SUCCEEDED;
    }
    failedSet.set(index);
    failed++;
    FailedTask record = new FailedTask(index, failedId, reason);
    if (failedTaskBytes + record.sizeInBytes() <= MAX_FAILED_RECORD_BYTES) {
      failedTasks.add(record);
      failedTaskBytes += record.sizeInBytes();
    } else {
      failedTasksTruncated = true;
    }
    return Outcome.FAILED;
  }

  /** A failure is final when the worker says so, or says no retry follows. */
  static boolean isFinal(TaskEvent event) {
    if (event.eventType() == EventType.TASK_COMPLETED) {
      return true;
    }
    if (event.finalAttempt() != null) {
      return event.finalAttempt();
    }
    return !Boolean.TRUE.equals(event.retry());
  }

  static String failureReason(TaskEvent event) {
    StringBuilder sb = new StringBuilder();
    sb.append(event.eventType() == EventType.TASK_TIMED_OUT ? "timed out" : "failed");
    if (event.exitCode() != null) {
      sb.append(" with exit code ").append(event.exitCode());
    }
    if (event.attempt() != null) {
      sb.append(" on attempt ").append(event.attempt());
    }
    if (event.result() != null && !event.result().isBlank()) {
      sb.append(": ").append(event.result().strip());
    }
    return sb.toString();
  }

  /**
   * Starts a new replay window: call once the ledger (with {@link #windowToSave()}) is saved and the
   * events applied so far are acknowledged. Older fingerprints are forgotten.
   */
  public void checkpoint() {
    savedWindow.clear();
    savedWindow.addAll(currentWindow);
    currentWindow.clear();
  }

  /** Fingerprints to save with the ledger: every event applied since the previous checkpoint. */
  public Set<Long> windowToSave() {
    Set<Long> all = new LinkedHashSet<>(savedWindow);
    all.addAll(currentWindow);
    return Collections.unmodifiableSet(all);
  }

  /** Events applied since the last checkpoint (the caller saves before this grows large). */
  public int windowSize() {
    return currentWindow.size();
  }

  /** Identifies one event: a redelivered copy has the same fingerprint, a second execution does not. */
  static long fingerprint(TaskEvent e) {
    String key = e.eventType() + "|" + e.taskIndex() + "|" + e.attempt() + "|" + e.instanceId() + "|"
        + e.slot() + "|" + (e.timestamp() == null ? "" : e.timestamp().toString()) + "|" + e.exitCode();
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  private static String clean(String reason) {
    String oneLine = reason.replaceAll("[\\p{Cntrl}]+", " ").strip();
    return oneLine.length() <= MAX_REASON_LENGTH ? oneLine : oneLine.substring(0, MAX_REASON_LENGTH - 3) + "...";
  }

  public long total() {
    return total;
  }

  public long succeeded() {
    return succeeded;
  }

  /** Tasks that failed for good (after their retries, or dead-lettered). */
  public long failed() {
    return failed;
  }

  public long finished() {
    return succeeded + failed;
  }

  public long remaining() {
    return total - finished();
  }

  /** Non-final failures: attempts that were retried. */
  public long retried() {
    return retried;
  }

  /** Final results for tasks that already had one (the task ran more than once). */
  public long duplicates() {
    return duplicates;
  }

  public long deadLettered() {
    return deadLettered;
  }

  /** Events without a usable task index. */
  public long invalidEvents() {
    return invalid;
  }

  /** True when every task has a final result. */
  public boolean allFinished() {
    return finished() == total;
  }

  public boolean isFinished(long index) {
    return index >= 0 && index < total && finished.get((int) index);
  }

  public boolean isFailed(long index) {
    return index >= 0 && index < total && failedSet.get((int) index);
  }

  /** Failed tasks with ids and reasons, in the order they failed; bounded, see {@link #failedTasksTruncated()}. */
  public List<FailedTask> failedTasks() {
    return Collections.unmodifiableList(failedTasks);
  }

  /** True when more tasks failed than {@link #failedTasks()} holds; the failed bitmap still has every index. */
  public boolean failedTasksTruncated() {
    return failedTasksTruncated;
  }

  /** Indexes of all failed tasks, ascending (complete even when the id list is truncated). */
  public long[] failedIndexes() {
    return failedSet.stream().asLongStream().toArray();
  }

  /**
   * Names the tasks still without a final result, from their ids in the task source (index to id), in
   * index order, as many as {@link #MAX_MISSING_RECORD_BYTES} holds. Replaces any earlier naming; an
   * index with no id given, or one that has a result by now, is left out.
   */
  public void nameMissing(Map<Long, String> idsByIndex) {
    missingTasks.clear();
    int bytes = 0;
    for (long index : unfinishedIndexes(Integer.MAX_VALUE)) {
      String id = idsByIndex.get(index);
      if (id == null) {
        continue;
      }
      MissingTask record = new MissingTask(index, id);
      if (bytes + record.sizeInBytes() > MAX_MISSING_RECORD_BYTES) {
        break;
      }
      missingTasks.add(record);
      bytes += record.sizeInBytes();
    }
  }

  /** The named missing tasks (see {@link #nameMissing}); empty until the job named them. */
  public List<MissingTask> missingTasks() {
    return Collections.unmodifiableList(missingTasks);
  }

  /** True when fewer tasks are named than are missing; {@link #unfinishedIndexes} still has every index. */
  public boolean missingTasksTruncated() {
    return missingTasks.size() < remaining();
  }

  void restoreMissing(List<MissingTask> named) {
    missingTasks.clear();
    missingTasks.addAll(named);
  }

  /** Indexes of tasks without a final result, ascending, at most {@code limit}. */
  public long[] unfinishedIndexes(int limit) {
    long[] out = new long[(int) Math.min(limit, remaining())];
    int n = 0;
    for (int i = finished.nextClearBit(0); i < total && n < out.length; i = finished.nextClearBit(i + 1)) {
      out[n++] = i;
    }
    return out;
  }

  BitSet finishedBits() {
    return finished;
  }

  BitSet failedBits() {
    return failedSet;
  }

  // Hedged copies (spec.worker.speculative): saved with the ledger so that after an operator restart a task
  // that has a copy is not given another, and the copies sent stay counted.

  /** Task indexes that were sent a hedged copy. */
  private final BitSet hedgedSet = new BitSet();

  /** Records that a task was sent a hedged copy; an index outside the job is ignored. */
  public void markHedged(long index) {
    if (index >= 0 && index < total) {
      hedgedSet.set((int) index);
    }
  }

  public boolean isHedged(long index) {
    return index >= 0 && index < total && hedgedSet.get((int) index);
  }

  /** Tasks sent a hedged copy so far, this run and before any restart. */
  public long hedgedCount() {
    return hedgedSet.cardinality();
  }

  /** Indexes of the tasks sent a hedged copy, ascending. */
  public long[] hedgedIndexes() {
    return hedgedSet.stream().asLongStream().toArray();
  }
}
