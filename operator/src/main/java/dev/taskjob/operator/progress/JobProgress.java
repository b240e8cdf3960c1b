package dev.taskjob.operator.progress;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.ledger.TaskResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One job's live account: the {@link Ledger}, what its workers report, and its throughput. The job's
 * event consumer applies events; the reconciler reads {@link #snapshot}. Thread-safe.
 */
public final class JobProgress {

  /** Failed (and missing) ids shown in a job's status; the ledger ConfigMap holds the longer list. */
  public static final int STATUS_FAILED_IDS = 20;

  /** A consistent view for the job's status. */
  public record Snapshot(
      long total,
      long succeeded,
      long failed,
      long retried,
      long duplicates,
      long deadLettered,
      long remaining,
      int running,
      int liveWorkers,
      double tasksPerSecond,
      Duration eta,
      Instant lastActivity,
      List<String> failedTaskIds,
      List<String> missingTaskIds,
      boolean allFinished) {}

  /** What a save needs: the encoded ledger, taken under the lock. */
  public record LedgerImage(Map<String, byte[]> binaryData, String summary) {}

  private final Ledger ledger;
  private final WorkerActivity activity = new WorkerActivity();
  private final RunningTasks runningTasks = new RunningTasks();
  /** What each VM's slots did, for the split of the bill; saved with the ledger. */
  private SlotUsage slotUsage = new SlotUsage();
  private final Throughput throughput;
  private final Heartbeats heartbeats;
  private final Duration silentAfter;
  /** When the last completed read of the dead-letter queue started (the drain's fallback waits for one). */
  private Instant deadLettersReadAt;

  /**
   * @param ledger the ledger, new or restored
   * @param heartbeats where instance heartbeats are shared with the pool reconciler
   * @param silentAfter a worker not heard from for this long is not counted as running anything
   */
  public JobProgress(Ledger ledger, Heartbeats heartbeats, Duration silentAfter) {
    this(ledger, heartbeats, silentAfter, new Throughput());
  }

  public JobProgress(Ledger ledger, Heartbeats heartbeats, Duration silentAfter, Throughput throughput) {
    this.ledger = ledger;
    this.heartbeats = heartbeats;
    this.silentAfter = silentAfter;
    this.throughput = throughput;
  }

  /** Applies events received at {@code now}; returns how many tasks got their final result. */
  public synchronized long apply(List<TaskEvent> events, Instant now) {
    return apply(events, now, new java.util.ArrayList<>());
  }

  /** As {@link #apply(List, Instant)}, adding each task's first final result to {@code finals}. */
  public synchronized long apply(List<TaskEvent> events, Instant now, List<TaskResult> finals) {
    long newlyFinished = 0;
    for (TaskEvent e : events) {
      activity.record(e, now);
      runningTasks.record(e, now);
      if (e.instanceId() != null && !e.instanceId().isBlank() && e.eventType() != EventType.WORKER_STOPPING) {
        WorkerActivity.Worker w = activity.worker(e.instanceId());
        heartbeats.record(e.instanceId(), now, w == null ? 0 : w.runningTasks());
      }
      if (e.instanceId() != null && e.eventType() == EventType.WORKER_STOPPING && e.message() != null
          && e.message().startsWith(TaskEvent.STARTUP_FAILED)) {
        heartbeats.recordStartupFailure(e.instanceId(), e.message().substring(TaskEvent.STARTUP_FAILED.length()));
      }
      double attemptCost = slotUsage.record(e);
      Ledger.Outcome outcome = ledger.apply(e, finals);
      if (outcome == Ledger.Outcome.SUCCEEDED || outcome == Ledger.Outcome.FAILED) {
        newlyFinished++;
      }
      if (outcome == Ledger.Outcome.SUCCEEDED && attemptCost > 0) {
        ledger.recordTaskCost(attemptCost);
      }
    }
    throughput.add(now, newlyFinished);
    return newlyFinished;
  }

  /** Records a dead-lettered task; returns true when it was not final before. */
  public synchronized boolean applyDeadLetter(long index, String id, int deliveries, Instant now) {
    return applyDeadLetter(index, id, deliveries, now, new java.util.ArrayList<>());
  }

  /** As {@link #applyDeadLetter(long, String, int, Instant)}, adding the failed result to {@code finals}. */
  public synchronized boolean applyDeadLetter(long index, String id, int deliveries, Instant now,
      List<TaskResult> finals) {
    boolean changed = ledger.applyDeadLetter(index, id, deliveries, now, finals) == Ledger.Outcome.FAILED;
    if (changed) {
      throughput.add(now, 1);
    }
    return changed;
  }

  /** Records a completed read of the dead-letter queue that started at {@code startedAt}. */
  public synchronized void deadLettersRead(Instant startedAt) {
    deadLettersReadAt = startedAt;
  }

  /** When the last completed read of the dead-letter queue started, or null before the first. */
  public synchronized Instant deadLettersReadAt() {
    return deadLettersReadAt;
  }

  public synchronized boolean isFinished(long index) {
    return ledger.isFinished(index);
  }

  /** Events applied since the last {@link #checkpoint()}. */
  public synchronized int unsavedEvents() {
    return ledger.windowSize();
  }

  public synchronized LedgerImage ledgerImage() {
    hedgesUnsaved = false;
    Map<String, byte[]> binary = new java.util.LinkedHashMap<>(LedgerCodec.encodeBinary(ledger));
    binary.put(SlotUsage.KEY, slotUsage.encode());
    return new LedgerImage(binary, LedgerCodec.summary(ledger));
  }

  /** Continues the split of the bill from what was saved with the ledger ({@link SlotUsage#KEY}), if anything. */
  public synchronized void restoreSlotUsage(byte[] saved) {
    slotUsage = SlotUsage.decode(saved);
  }

  /** Call after the image was saved and the events it covers acknowledged. */
  public synchronized void checkpoint() {
    ledger.checkpoint();
  }

  /** Finished tasks with a known run time, and their mean, for ranking instance types by cost per task. */
  public record TaskTimes(long count, Duration mean) {}

  public synchronized TaskTimes taskTimes() {
    var times = ledger.elapsedTimes();
    return times.count() == 0 ? new TaskTimes(0, null)
        : new TaskTimes(times.count(), Duration.ofMillis(Math.round(times.mean() * 1000)));
  }

  /**
   * What deciding on hedges needs, taken under the lock: finished tasks with an elapsed time and their
   * p90, tasks without a result, tasks the live workers report running, and the unfinished running tasks.
   */
  public record Tail(long finishedWithTime, Duration p90, long unfinished, int busySlots,
      List<dev.taskjob.operator.decision.HedgeDecision.RunningTask> running) {}

  public synchronized Tail tail(Instant now) {
    var times = ledger.elapsedTimes();
    return new Tail(times.count(), Duration.ofNanos(Math.round(times.percentile(90) * 1e9)), ledger.remaining(),
        activity.runningTasks(now, silentAfter), runningTasks.unfinished(ledger::isFinished));
  }

  /** Tasks sent a hedged copy, this run and before a restart (the ledger keeps them). */
  public synchronized java.util.Set<Long> hedged() {
    return java.util.Arrays.stream(ledger.hedgedIndexes()).boxed().collect(java.util.stream.Collectors.toSet());
  }

  /** Records tasks sent a hedged copy; saved with the ledger at its next save. */
  public synchronized void markHedged(java.util.Collection<Long> indexes) {
    indexes.forEach(ledger::markHedged);
    hedgesUnsaved |= !indexes.isEmpty();
  }

  /** True when a copy was sent since the last {@link #ledgerImage()}: the ledger is worth saving for it alone. */
  public synchronized boolean hasUnsavedHedges() {
    return hedgesUnsaved;
  }

  private boolean hedgesUnsaved;

  /**
   * The split of the job's bill until {@code now}, after one look at its pool's bills (each VM listed, by
   * id), made to add up to {@code billed}, the pool's own account ({@link CostBreakdown#fitTo}).
   */
  public synchronized CostBreakdown.Shares costShares(List<SlotUsage.Bill> bills, int slotsPerInstance,
      double pricePerSlotHour, CostMeter.Billing billing, double billed, Instant now) {
    slotUsage.observe(bills, slotsPerInstance, pricePerSlotHour, billing, now);
    return CostBreakdown.fitTo(slotUsage.shares(billing, now), billed);
  }

  /** Succeeded tasks' own shares of their VMs' cost, in USD: p50, p90 and p99 (zeros before the first). */
  /** What finished tasks used, as their workers measured it. */
  public synchronized dev.taskjob.operator.decision.RightSizing.Usage taskUsage() {
    return dev.taskjob.operator.decision.RightSizing.Usage.of(ledger.usage());
  }

  public record TaskCosts(long count, double p50, double p90, double p99) {}

  public synchronized TaskCosts taskCosts() {
    var micros = ledger.taskCostMicros();
    return new TaskCosts(micros.count(), micros.median() / 1e6, micros.percentile(90) / 1e6,
        micros.percentile(99) / 1e6);
  }

  public synchronized Snapshot snapshot(Instant now) {
    List<String> failedIds = ledger.failedTasks().stream().limit(STATUS_FAILED_IDS).map(Ledger.FailedTask::id).toList();
    return new Snapshot(ledger.total(), ledger.succeeded(), ledger.failed(), ledger.retried(), ledger.duplicates(),
        ledger.deadLettered(), ledger.remaining(), activity.runningTasks(now, silentAfter),
        activity.liveWorkers(now, silentAfter), throughput.perSecond(now), throughput.eta(now, ledger.remaining()),
        activity.lastActivity(), failedIds, ledger.missingTasks().stream().limit(STATUS_FAILED_IDS)
        .map(Ledger.MissingTask::id).toList(), ledger.allFinished());
  }

  /** Indexes of the tasks without a final result, ascending: every one. */
  public synchronized long[] missingIndexes() {
    return ledger.unfinishedIndexes(Integer.MAX_VALUE);
  }

  /** Names the tasks without a final result from their ids in the task source ({@link Ledger#nameMissing}). */
  public synchronized void nameMissing(Map<Long, String> idsByIndex) {
    ledger.nameMissing(idsByIndex);
  }

  /** The full failed-task records held by the ledger (bounded). */
  public synchronized List<Ledger.FailedTask> failedTasks() {
    return List.copyOf(ledger.failedTasks());
  }

  /** The latest start-up error a worker reported, unless a worker started since; or null. */
  public synchronized WorkerActivity.StartupError startupError() {
    return activity.startupError();
  }

  public synchronized WorkerActivity.Worker worker(String instanceId) {
    return activity.worker(instanceId);
  }
}
