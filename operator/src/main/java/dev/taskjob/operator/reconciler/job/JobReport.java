package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.Durations;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.crds.v1alpha1.taskjob.CostShares;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostMeter;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.progress.SlotUsage;
import dev.taskjob.operator.progress.WorkerActivity;
import dev.taskjob.operator.reconciler.pool.PoolCost;
import dev.taskjob.operator.selection.Candidate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts, throughput, instances and cost into the job's status and metrics. The cost is its pool's bill
 * ({@link PoolCost}: each VM from launch to end at its zone's and market's price); metrics get it at
 * full precision. Volatile figures are written rounded (rate to a thousandth, cost to three significant
 * digits) so a steady job's status does not change at every look.
 */
final class JobReport {

  /** Condition type: a worker reported that it could not start, and none started since. */
  static final String WORKER_STARTUP_FAILED = "WorkerStartupFailed";

  private final OperatorMetrics metrics;

  JobReport(OperatorMetrics metrics) {
    this.metrics = metrics;
  }

  void report(TaskJob job, TaskJobStatus status, JobRuntime runtime, JobProgress.Snapshot p, InstancePool pool,
      Instant now) {
    status.setSucceeded(p.succeeded());
    status.setFailed(p.failed());
    status.setRetried(p.retried());
    status.setDuplicates(p.duplicates());
    status.setDeadLettered(p.deadLettered());
    status.setRunning((long) p.running());
    status.setTasksPerSecond(Math.round(p.tasksPerSecond() * 1000.0) / 1000.0);
    status.setEta(p.eta() == null ? null : Durations.format(p.eta()));
    status.setFailedTaskIds(p.failedTaskIds().isEmpty() ? null : p.failedTaskIds());
    status.setMissingTaskIds(p.missingTaskIds().isEmpty() ? null : p.missingTaskIds());
    if (pool != null && pool.getStatus() != null && pool.getStatus().getCostSoFar() != null) {
      runtime.costSoFar = PoolCost.billed(pool, now);
    } else if (status.getCostSoFar() != null) {
      // no pool (yet, or any more): what the status shows stands
      runtime.costSoFar = Math.max(runtime.costSoFar, status.getCostSoFar());
    }
    status.setCostSoFar(CostMeter.forStatus(runtime.costSoFar));
    reportCostShares(status, runtime, pool, p.succeeded(), now);
    if (pool != null && pool.getStatus() != null) {
      InstancePoolStatus ps = pool.getStatus();
      if (ps.getInstanceType() != null) {
        status.setInstanceType(ps.getInstanceType());
        status.setSpot(ps.getSpot());
        status.setPricePerHour(ps.getPricePerHour());
        status.setChoice(ps.getChoice());
      }
      status.setInstancesRunning(orZero(ps.getRunning()));
      status.setCostPerHour(ps.getCostPerHour() == null ? 0.0 : ps.getCostPerHour());
      boolean ready = status.getInstancesDesired() != null && orZero(ps.getRunning()) >= status.getInstancesDesired();
      Conditions.set(status.getConditions(), ConditionTypes.READY, ready ? Condition.TRUE : Condition.FALSE,
          ready ? "InstancesRunning" : "InstancesStarting", orZero(ps.getRunning()) + " of "
              + status.getInstancesDesired() + " instances running", status.getObservedGeneration(), now);
    }
    reportStartupError(status, runtime.progress.startupError(), now);
    if (status.getPhase() == TaskJobPhase.RUNNING || status.getPhase() == TaskJobPhase.LOADING) {
      status.setMessage(p.succeeded() + p.failed() + " of " + p.total() + " tasks finished, " + p.running()
          + " running on " + orZero(status.getInstancesRunning()) + " instances");
    }
    metrics.job(job.getMetadata().getNamespace(), job.getMetadata().getName(), new OperatorMetrics.JobFigures(
        p.total(), status.getLoaded() == null ? 0 : status.getLoaded(), p.succeeded(), p.failed(), p.retried(),
        p.duplicates(), p.running(), p.tasksPerSecond(), status.getCostPerHour() == null ? 0 : status.getCostPerHour(),
        runtime.costSoFar));
  }

  /**
   * Cost per completed task (the bill over the tasks that succeeded) and where the bill went. Without a
   * pool (not yet, or no longer) the shares the status shows stand.
   */
  private static void reportCostShares(TaskJobStatus status, JobRuntime runtime, InstancePool pool, long succeeded,
      Instant now) {
    status.setCostPerCompletedTask(succeeded == 0 ? null : CostMeter.forStatus(runtime.costSoFar / succeeded));
    if (pool == null || pool.getStatus() == null || pool.getStatus().getCostSoFar() == null) {
      return;
    }
    Candidate type = JobPools.candidateFor(runtime.selection, pool);
    List<SlotUsage.Bill> bills = new ArrayList<>();
    PoolCost.listedBills(pool).forEach((id, life) -> bills.add(new SlotUsage.Bill(id, life)));
    status.setCostShares(shown(runtime.progress.costShares(bills, type.slots(), type.pricePerSlot(),
        PoolCost.billing(pool), runtime.costSoFar, now)));
  }

  /** The shares as the status shows them: USD at three significant digits, waste in whole percent. */
  static CostShares shown(CostBreakdown.Shares s) {
    if (s.billed() <= 0) {
      return null;
    }
    return new CostShares(CostMeter.forStatus(s.tasks()), CostMeter.forStatus(s.boot()),
        CostMeter.forStatus(s.idle()), CostMeter.forStatus(s.drain()), CostMeter.forStatus(s.interrupted()),
        (int) Math.round(100 * s.fraction(s.waste())));
  }

  /**
   * A worker that could not start at all (its task program missing or not executable, its settings
   * invalid) says why in its {@code worker_stopping} event: the job shows that reason, not only a pool
   * whose workers never report.
   */
  static void reportStartupError(TaskJobStatus status, WorkerActivity.StartupError error, Instant now) {
    if (error != null) {
      Conditions.set(status.getConditions(), WORKER_STARTUP_FAILED, Condition.TRUE, "WorkerStartupError",
          "the worker on " + error.instanceId() + " could not start: " + error.reason(), status.getObservedGeneration(),
          now);
    } else if (Conditions.find(status.getConditions(), WORKER_STARTUP_FAILED).isPresent()) {
      Conditions.set(status.getConditions(), WORKER_STARTUP_FAILED, Condition.FALSE, "WorkerStarted", "",
          status.getObservedGeneration(), now);
    }
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
